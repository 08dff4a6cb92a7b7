"""The one atomic write: a temporary file in the target's folder, flushed to disk, then renamed into place.

A reader (a browser, a unit opening its 催报单, the next build) sees the old file or the new one, never half of
one. Files get an explicit mode (0644 by default): ``tempfile`` creates them 0600, which made the workbooks meant
for other units unreadable to the web server.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import suppress
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o644


def write_with(path: Path, write: Callable[[IO[bytes]], None], *, mode: int = FILE_MODE) -> Path:
    """Write ``path`` atomically through ``write(handle)`` (a binary handle); returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(handle.name)
        raise
    return path


def write_via_path(path: Path, fill: Callable[[Path], None], *, mode: int = FILE_MODE) -> Path:
    """Atomically write ``path`` with a library that wants a file name (xlsxwriter, reportlab): ``fill(temp)``
    writes the temporary file beside ``path``, which is then synced, given ``mode`` and renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temp = Path(name)
    try:
        fill(temp)
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise
    return path


def write_bytes(path: Path, data: bytes, *, mode: int = FILE_MODE) -> Path:
    def write(out: IO[bytes]) -> None:
        out.write(data)

    return write_with(path, write, mode=mode)


def write_text(path: Path, text: str, *, mode: int = FILE_MODE) -> Path:
    return write_bytes(path, text.encode("utf-8"), mode=mode)


def write_json(path: Path, data: Any, *, mode: int = FILE_MODE) -> Path:
    return write_text(path, json.dumps(data, ensure_ascii=False, indent=1, default=str), mode=mode)
