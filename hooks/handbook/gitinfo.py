"""Who last committed each evidence file, and when: ONE ``git log`` for the whole tree.

``git log --name-only`` lists commits newest first with the files each one touched; the first time a
path appears is its last commit. The output is read as a stream and git is stopped as soon as every
wanted path has been seen, so a long history costs little. Outside a git checkout (or without git)
the answer is simply empty.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

RECORD = "\x1e"  # starts every commit in the output
FIELD = "\x1f"
# -z: NUL after every path, no quoting; core.quotepath=off: non-ASCII names as they are.
# The author is who submitted the file (the liaison, also when a maintainer merged or rebased it); the
# committer date is when it reached the branch. The /changes/ page reads the same two fields.
LOG_FORMAT = f"--format={RECORD}%an{FIELD}%cI"
TIMEOUT_S = 300


@dataclass(frozen=True, slots=True)
class LastCommit:
    committer: str
    committed: dt.datetime


def last_commits(evidence_root: Path, wanted: Iterable[str] | None = None) -> dict[str, LastCommit]:
    """``{path relative to evidence_root: LastCommit}`` for every committed path (or just ``wanted``)."""
    wanted_set = set(wanted) if wanted is not None else None
    if wanted_set is not None and not wanted_set:
        return {}
    command = ["git", "-c", "core.quotepath=off", "log", "-z", "--name-only", "--relative", LOG_FORMAT, "--", "."]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.Popen(
            command, cwd=evidence_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
        )
    except OSError as exc:  # git not installed, or the folder is gone
        log.info("git unavailable (%s): no committer information", exc)
        return {}
    found: dict[str, LastCommit] = {}
    stopped_early = False
    try:
        for path, commit in _entries(_records(proc.stdout)):
            if path in found or (wanted_set is not None and path not in wanted_set):
                continue
            found[path] = commit
            if wanted_set is not None and len(found) == len(wanted_set):
                stopped_early = True
                break
    finally:
        _finish(proc, stopped_early)
    if found and is_shallow(evidence_root):
        log.warning("仓库是浅克隆（只有最近的提交）：较早提交的文件会显示为最早那次提交的人和日期，“近期提交”也不准"
                    " — 在 CI 中取完整历史（GitLab：GIT_DEPTH: \"0\"；git fetch 不加 --depth）")
    return found


def is_shallow(start: Path) -> bool:
    """Whether the checkout holding ``start`` has only part of its history (``.git/shallow`` exists)."""
    for folder in (start, *start.resolve().parents):
        git_dir = folder / ".git"
        if git_dir.is_dir():
            return (git_dir / "shallow").exists()
        if git_dir.exists():  # a worktree's .git file: not worth resolving for a warning
            return False
    return False


def _finish(proc: subprocess.Popen, stopped_early: bool) -> None:
    if stopped_early:
        proc.kill()
    try:
        _, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        log.warning("git log took longer than %ss; committer information is incomplete", TIMEOUT_S)
        return
    if proc.returncode and not stopped_early:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        log.info("git log gave no history (%s): no committer information", message[0] if message else proc.returncode)


def _records(stream) -> Iterator[str]:
    """Yield one commit's text at a time as the output arrives (split as bytes: a chunk may end mid-character)."""
    separator = RECORD.encode()
    buffer = b""
    while chunk := stream.read1(1 << 16):
        buffer += chunk
        *complete, buffer = buffer.split(separator)
        yield from (record.decode("utf-8", "surrogateescape") for record in complete if record)
    if buffer:
        yield buffer.decode("utf-8", "surrogateescape")


def _entries(records: Iterable[str]) -> Iterator[tuple[str, LastCommit]]:
    for record in records:
        header, _, names = record.partition("\0")
        name, _, date = header.partition(FIELD)
        try:
            when = dt.datetime.fromisoformat(date.strip())
        except ValueError:
            log.debug("unparsable commit date %r", date)
            continue
        commit = LastCommit(name, when)
        for path in names.split("\0"):
            path = path.strip("\n")
            if path:
                yield path, commit
