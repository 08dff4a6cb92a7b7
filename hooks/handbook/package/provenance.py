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
    dirty: bool | None  # uncommitted changes in the checkout

    @property
    def zip_date_time(self) -> tuple[int, int, int, int, int, int]:
        d = max(self.date, ZIP_EPOCH)
        return (d.year, d.month, d.day, d.hour, d.minute, d.second)


def read_provenance(root: Path) -> Provenance:
    commit = _git(root, "rev-parse", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=no") if commit else None
    date, source = _source_date(root, commit)
    return Provenance(date=date, date_source=source, commit=commit, dirty=bool(status) if commit else None)


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


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
