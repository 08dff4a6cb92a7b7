"""Leftovers of a killed build in the package folder: found by name and pid, removed, nothing else touched.

What a build leaves while it runs: ".package-<pid>-<random>/" (older builds: ".package-<random>/", no pid) and
".<name>.<pid>.tmp" beside each output it replaces.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from pathlib import Path

log = logging.getLogger(__name__)

_STAGING = re.compile(r"\.package-(?:(\d+)-)?[a-z0-9_]+")
_TEMPORARY = re.compile(r"\.(.+)\.(\d+)\.tmp")
STALE_AFTER = 24 * 3600  # seconds; no build runs this long, so an older leftover is stale whatever its pid


def remove_stale(out_dir: Path, ours: set[str]) -> list[str]:
    """Remove what a killed build left in ``out_dir`` (its pid is gone, or it is over a day old).

    ``ours`` names the outputs whose temporary files may be removed. Only our own staging folders and
    temporary files match; a running build's are kept, and nothing else in the folder is touched.
    Returns the names removed.
    """
    removed = []
    for entry in sorted(out_dir.iterdir()):
        pid = _leftover_pid(entry, ours)
        if pid is None or not _stale(entry, pid):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry.name)
    if removed:
        log.info("已清理上次中断的打包留下的临时文件：%s", "、".join(removed))
    return removed


def _leftover_pid(entry: Path, ours: set[str]) -> int | None:
    """The builder's pid for one of our leftovers (0 when the name carries none); None for anything else."""
    if entry.is_symlink():
        return None
    if entry.is_dir() and (match := _STAGING.fullmatch(entry.name)):
        return int(match.group(1) or 0)
    if entry.is_file() and (match := _TEMPORARY.fullmatch(entry.name)) and match.group(1) in ours:
        return int(match.group(2))
    return None


def _stale(entry: Path, pid: int) -> bool:
    try:
        age = time.time() - entry.stat().st_mtime
    except OSError:
        return False
    return age > STALE_AFTER or (pid > 0 and not _alive(pid))


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end the process there; the age rule alone applies
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, as someone else's process
        return True
    return True
