"""The evidence tree's git history in ONE ``git log`` per build: who last committed each file, and when, and
the recent commits the /changes/ page lists.

``git log --name-status`` lists commits newest first with the files each one touched; the first time a
path appears is its last commit. The output is read as a stream and git is stopped as soon as every
wanted path has been seen and the commits have gone past the start of the recent period, so a long
history costs little. Outside a git checkout (or without git) the answer is simply empty.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from handbook.model import Problem, Where
from handbook.problems import warning

log = logging.getLogger(__name__)

CHANGE_WINDOWS = (7, 30)  # days of history the /changes/ page shows; the scan reads as much
RECORD = "\x1e"  # starts every commit in the output
FIELD = "\x1f"
# -z: NUL after every path, no quoting; core.quotepath=off: non-ASCII names as they are.
# The author is who submitted the file (the liaison, also when a maintainer merged or rebased it); the
# committer date is when it reached the branch.
LOG_FORMAT = f"--format={RECORD}%H{FIELD}%an{FIELD}%cI{FIELD}%ae{FIELD}%s"
TIMEOUT_S = 300
# Commit dates are not strictly ordered (rebases, clocks): like git's own --since, the walk ends only after
# this many commits in a row older than the period.
SLOP = 5


@dataclass(frozen=True, slots=True)
class LastCommit:
    committer: str
    committed: dt.datetime
    email: str = ""  # the author's e-mail: what units.yml ``emails`` name
    sha: str = ""  # the commit: a shallow clone's boundary commit claims files it did not touch


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit as ``git log --name-status`` tells it, with paths relative to the evidence folder."""

    sha: str
    author: str
    committed: dt.datetime  # committer date, in the committer's time zone
    subject: str
    paths: tuple[tuple[str, str, str | None], ...] = ()  # (git's status letter, path, old path of a rename)
    email: str = ""  # the author's e-mail


@dataclass(slots=True)
class History:
    last: dict[str, LastCommit] = field(default_factory=dict)  # path → its last commit
    recent: list[Commit] | None = None  # commits on or after ``since``, newest first; None: git gave nothing
    # A shallow clone's boundary commits (.git/shallow): git shows every file as added in them, so a file whose
    # "last commit" is one of them was really committed earlier, by someone unknown. None: the history is whole.
    boundary: frozenset[str] | None = None


def last_commits(evidence_root: Path, wanted: Iterable[str] | None = None) -> dict[str, LastCommit]:
    """``{path relative to evidence_root: LastCommit}`` for every committed path (or just ``wanted``)."""
    return read_history(evidence_root, wanted).last


def read_history(evidence_root: Path, wanted: Iterable[str] | None = None, *, since: dt.date | None = None) -> History:
    """The last commit of every wanted path (all when None) and, with ``since``, the commits from that day on."""
    wanted_set = set(wanted) if wanted is not None else None
    history = History()
    if wanted_set is not None and not wanted_set and since is None:
        return history
    command = ["git", "-c", "core.quotepath=off", "log", "-z", "--name-status", "--relative", LOG_FORMAT, "--", "."]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.Popen(
            command, cwd=evidence_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
        )
    except OSError as exc:  # git not installed, or the folder is gone
        log.info("git unavailable (%s): no committer information", exc)
        return history
    recent: list[Commit] = []
    older_in_a_row = 0
    stopped_early = False
    try:
        for commit in _commits(_records(proc.stdout)):
            if since is not None:
                if commit.committed.date() >= since:
                    recent.append(commit)
                    older_in_a_row = 0
                else:
                    older_in_a_row += 1
            _note_last(history.last, commit, wanted_set)
            have_last = wanted_set is not None and len(history.last) == len(wanted_set)
            have_recent = since is None or older_in_a_row >= SLOP
            if have_last and have_recent:
                stopped_early = True
                break
    finally:
        ok = _finish(proc, stopped_early)
    if ok:
        history.boundary = shallow_boundary(evidence_root)
        if history.boundary is not None:  # their file lists are the whole tree as "added": not a real change
            recent = [c for c in recent if c.sha not in history.boundary]
        history.recent = recent if since is not None else None
    if history.last and history.boundary is not None:
        log.warning("仓库是浅克隆（只有最近的提交）：较早提交的文件的提交人和日期无法确定，“近期提交”也不完整"
                    " — 运行 git fetch --unshallow；CI 中取完整历史（GitLab：GIT_DEPTH: \"0\"；"
                    "GitHub Actions：fetch-depth: 0）")
    return history


SHALLOW_CODE = "shallow-clone"
UNSHALLOW_FIX = ("在仓库中运行 git fetch --unshallow 后重新构建；CI 中取完整历史（GitLab：GIT_DEPTH: \"0\"；"
                 "GitHub Actions：actions/checkout 的 fetch-depth: 0）")
NAMED = 3  # files named in the warning; the count says how many more


def shallow_diagnostic(unknown: list[str], total: int) -> Problem:
    """The warning for a shallow clone: which files' submitter and date are unknown, and how to get them."""
    if not unknown:
        problem = ("仓库是浅克隆（只取了最近的提交）：各文件的提交人和日期都在取到的提交中，"
                   "但“近期提交”页只列出取到的提交，更早的改动看不到")
    else:
        unknown = sorted(unknown)
        named = "、".join(unknown[:NAMED]) + (f" 等 {len(unknown)} 个" if len(unknown) > NAMED else "")
        problem = (f"仓库是浅克隆（只取了最近的提交）：{len(unknown)} 个文件（共 {total} 个）是在更早的提交中加入的，"
                   f"它们的提交人和提交日期无法确定，网站上不显示（{named}）；“近期提交”页也只列出取到的提交")
    return warning(Where("evidence/"), problem, UNSHALLOW_FIX, SHALLOW_CODE)


def _note_last(found: dict[str, LastCommit], commit: Commit, wanted: set[str] | None) -> None:
    last = None
    for _status, path, _old in commit.paths:  # a rename's new name; a deleted path is not in the tree anyway
        if path in found or (wanted is not None and path not in wanted):
            continue
        last = last or LastCommit(commit.author, commit.committed, commit.email, commit.sha)
        found[path] = last


def is_shallow(start: Path) -> bool:
    """Whether the checkout holding ``start`` has only part of its history."""
    return shallow_boundary(start) is not None


def shallow_boundary(start: Path) -> frozenset[str] | None:
    """The boundary commits of a shallow checkout holding ``start`` (git's ``shallow`` file), or None when the
    history is complete or there is no git. Read from disk, not asked of git: the scan makes one git call."""
    common = _common_git_dir(Path(start))
    if common is None:
        return None
    try:
        text = (common / "shallow").read_text(encoding="ascii", errors="replace")
    except OSError:  # no shallow file: the whole history is there
        return None
    boundary = frozenset(line.strip() for line in text.splitlines() if line.strip())
    return boundary or None


def _common_git_dir(start: Path) -> Path | None:
    """The repository's common git directory: ``.git``, or for a worktree (a ``.git`` file naming its private
    git dir) the ``commondir`` that dir names; GIT_DIR wins, as for git itself."""
    if os.environ.get("GIT_DIR"):
        git_dir: Path | None = Path(os.environ["GIT_DIR"])
    else:
        git_dir = None
        for folder in (start, *start.resolve().parents):
            dot_git = folder / ".git"
            if dot_git.is_dir():
                git_dir = dot_git
                break
            if dot_git.is_file():
                try:
                    line = dot_git.read_text(encoding="utf-8", errors="replace").strip()
                except OSError:
                    return None
                if not line.startswith("gitdir:"):
                    return None
                git_dir = (folder / line[len("gitdir:"):].strip()).resolve()
                break
    if git_dir is None:
        return None
    try:
        common = (git_dir / "commondir").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return git_dir
    return (git_dir / common).resolve()


def _finish(proc: subprocess.Popen, stopped_early: bool) -> bool:
    """Wait for git; whether it gave its history (outside a checkout it does not: nothing is wrong)."""
    if stopped_early:
        proc.kill()
    try:
        _, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        log.warning("git log took longer than %ss; committer information is incomplete", TIMEOUT_S)
        return False
    if proc.returncode and not stopped_early:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        log.info("git log gave no history (%s): no committer information", message[0] if message else proc.returncode)
        return False
    return True


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


def _commits(records: Iterable[str]) -> Iterator[Commit]:
    """Parse ``git log -z --name-status`` records in our LOG_FORMAT (a rename or copy carries two paths)."""
    for record in records:
        header, _, body = record.partition("\0")
        sha, author, when, email, subject = (header.split(FIELD, 4) + ["", "", "", "", ""])[:5]
        try:
            committed = dt.datetime.fromisoformat(when.strip())
        except ValueError:
            log.debug("unparsable commit date %r in %s", when, sha)
            continue
        tokens = body.lstrip("\n").split("\0")
        paths: list[tuple[str, str, str | None]] = []
        i = 0
        while i < len(tokens):
            status = tokens[i].strip("\n")
            i += 1
            if not status:
                continue
            if status[0] in "RC" and i + 1 < len(tokens):
                paths.append((status[0], tokens[i + 1], tokens[i]))
                i += 2
            elif i < len(tokens):
                paths.append((status[0], tokens[i], None))
                i += 1
        yield Commit(sha, author, committed, subject, tuple(paths), email)


def history_start(today: dt.date) -> dt.date:
    """The first day whose commits the /changes/ page needs (a day more than the longest window: time zones)."""
    return today - dt.timedelta(days=max(CHANGE_WINDOWS))
