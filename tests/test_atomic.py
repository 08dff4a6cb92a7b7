"""The one atomic write (handbook.util.atomic): every output of the project goes through it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from handbook.util.atomic import write_text, write_via_path


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_meant_for_others_are_readable_by_them(tmp_path):
    """tempfile makes 0600 files: a 催报单 written that way could not be served to the unit it is for."""
    old = os.umask(0o077)
    try:
        text = write_text(tmp_path / "a" / "CODEOWNERS", "x\n")
        book = write_via_path(tmp_path / "催报单-市城管局.xlsx", lambda temp: temp.write_bytes(b"PK"))
    finally:
        os.umask(old)
    assert mode_of(text) == 0o644 and mode_of(book) == 0o644
    assert text.read_bytes() == b"x\n" and book.read_bytes() == b"PK"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")

    def fail(temp: Path) -> None:
        temp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_via_path(target, fail)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]


def test_the_writers_of_outputs_use_it():
    """No output module keeps a private temp-and-rename of its own (they drifted: only one set the mode)."""
    hooks = Path(__file__).resolve().parents[1] / "hooks" / "handbook"
    private = [str(p.relative_to(hooks)) for p in sorted(hooks.rglob("*.py"))
               if "mkstemp(" in p.read_text(encoding="utf-8") and p.name != "atomic.py"
               and "package" not in p.parts]
    assert private == []
