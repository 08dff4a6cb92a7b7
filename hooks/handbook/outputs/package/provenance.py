"""Where the inputs came from: the fixed build date and the git commit.

The package must be byte-identical for identical inputs, so no timestamp may come from the wall clock:
SOURCE_DATE_EPOCH (the reproducible-builds convention) wins, then the last commit's date, then a constant.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "UTC+8")
# ZIP (DOS) timestamps start in 1980; the constant is used only outside a checkout without SOURCE_DATE_EPOCH.
ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=CHINA_TZ)


@dataclass(frozen=True, slots=True)
class Provenance:
    date: dt.datetime  # fixed build date, timezone UTC+8
    date_source: str  # "SOURCE_DATE_EPOCH", "git" or "固定值"
    commit: str | None  # full hash of HEAD, None outside a checkout
    dirty: bool | None  # uncommitted changes in the checkout, or files under evidence/ not yet in git
    changed: int = 0  # tracked files with uncommitted changes
    untracked_evidence: int = 0  # files under evidence/ that git does not know (packed all the same)
    warning: str = ""  # why ``dirty`` is unknown (git status timed out or failed): said, never a silent default

    @property
    def zip_date_time(self) -> tuple[int, int, int, int, int, int]:
        d = max(self.date, ZIP_EPOCH)
        return (d.year, d.month, d.day, d.hour, d.minute, d.second)


def read_provenance(root: Path, evidence: Path | None = None) -> Provenance:
    """Date and commit of the inputs; ``evidence`` (default root/evidence) is where untracked files count."""
    top, commit = _top_and_commit(root)
    date, source = _source_date(root, commit)
    if not commit:
        return Provenance(date=date, date_source=source, commit=None, dirty=None)
    # One call for both: changed tracked files anywhere, and untracked (not ignored) files one by one, because
    # the scan packs an untracked evidence file just like a committed one.
    # core.trustctime=false: the build's hard links into site/ change every evidence file's ctime, and git's
    # index would then re-read every file (13 s at 5 GB) and run into the timeout past ~20 GB.
    status, why = _git_status(root)
    if status is None:
        warning = f"无法确定是否有未提交的修改（git status {why}）；材料包照常生成，请在提交全部改动后重新打包"
        log.warning(warning)
        return Provenance(date=date, date_source=source, commit=commit, dirty=None, warning=warning)
    changed, untracked = _count_changes(status, _prefix_in(top, evidence or root / "evidence"))
    return Provenance(date=date, date_source=source, commit=commit, dirty=bool(changed or untracked),
                      changed=changed, untracked_evidence=untracked)


STATUS_TIMEOUT_S = 60


def _git_status(root: Path) -> tuple[str | None, str]:
    """``git status`` porcelain text, or None and why (in Chinese: timed out, failed)."""
    command = ["git", "-c", "core.trustctime=false", "-C", str(root), "status", "--porcelain", "-z",
               "--untracked-files=all"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=STATUS_TIMEOUT_S, check=False,
                              encoding="utf-8", errors="replace")
    except subprocess.TimeoutExpired:
        return None, f"超过 {STATUS_TIMEOUT_S} 秒未完成"
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"无法运行：{exc}"
    if done.returncode != 0:
        return None, f"失败：{done.stderr.strip()[:200]}"
    return done.stdout, ""


def _top_and_commit(root: Path) -> tuple[Path | None, str | None]:
    lines = (_git(root, "rev-parse", "--show-toplevel", "HEAD") or "").splitlines()
    if len(lines) != 2:  # not a checkout, or no commit yet
        return None, None
    return Path(lines[0]), lines[1]


def _prefix_in(top: Path | None, folder: Path) -> str | None:
    """``folder`` as git's porcelain paths show it (relative to the top of the checkout), with a final '/'."""
    if top is None:
        return None
    try:
        return folder.resolve().relative_to(top.resolve()).as_posix().rstrip("/") + "/"
    except (ValueError, OSError, AttributeError):
        return None


def _count_changes(status: str, evidence_prefix: str | None) -> tuple[int, int]:
    """(tracked files changed, untracked files under ``evidence_prefix``) from ``git status --porcelain -z``."""
    tokens = iter(status.split("\0"))
    changed = untracked = 0
    for token in tokens:
        code, path = token[:2], token[3:]
        if not path:
            continue
        if code == "??":
            untracked += bool(evidence_prefix and path.startswith(evidence_prefix))
            continue
        changed += 1
        if "R" in code or "C" in code:
            next(tokens, None)  # a rename or copy is followed by its original path
    return changed, untracked


def _source_date(root: Path, commit: str | None) -> tuple[dt.datetime, str]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), CHINA_TZ), "SOURCE_DATE_EPOCH"
        except (ValueError, OverflowError, OSError):
            log.warning("环境变量 SOURCE_DATE_EPOCH=%r 不是整数秒，已忽略 — 请设为 Unix 时间戳，如 1767225600", epoch)
    if commit:
        stamp = _git(root, "log", "-1", "--format=%ct")
        if stamp and stamp.isdigit():
            return dt.datetime.fromtimestamp(int(stamp), CHINA_TZ), "git"
    return ZIP_EPOCH, "固定值"


def _git(root: Path, *args: str, strip: bool = True) -> str | None:
    try:
        done = subprocess.run(
            # Each site build hard-links the evidence, which changes every file's ctime: without this, the
            # package's git status re-hashes every evidence byte (13 s at 5 GB; 0.04 s with it).
            ["git", "-C", str(root), "-c", "core.trustctime=false", *args], capture_output=True, timeout=60, check=False,
            encoding="utf-8", errors="replace",  # Chinese paths, whatever the locale
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() if strip else done.stdout
