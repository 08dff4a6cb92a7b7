"""Reading evidence safely: never through a symlink, never changing the access time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO


def open_readonly(path: Path | str) -> BinaryIO:
    """Open for reading only, never through a symlink, without updating the access time when allowed."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    noatime = getattr(os, "O_NOATIME", 0)
    try:
        fd = os.open(path, flags | noatime)
    except PermissionError:
        if not noatime:
            raise
        fd = os.open(path, flags)  # O_NOATIME needs ownership of the file; reading is still fine
    return os.fdopen(fd, "rb")
