"""The hostile-input corpus: shared helpers.

Every case is made at test time (small, nothing hostile is committed: some names cannot even be checked out
on Windows), run the way a department's commit would be, and held to the issue's bounds: no traceback, the
exact message, the exit status, evidence/ unchanged, and at most 30 s and 500 MB per command.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 500 * 1024 * 1024  # address space: what "no more than 500 MB" means for a command
TIME_LIMIT = 30.0


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_handbook(root: Path, *args: str, timeout: float = TIME_LIMIT) -> Run:
    """``python -m handbook --root root args…`` in a subprocess under RLIMIT_AS and a timeout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), "NO_MKDOCS_2_WARNING": "1",
           "MALLOC_ARENA_MAX": "2",  # glibc reserves 64 MB of address space per thread arena otherwise
           "HANDBOOK_TODAY": "2026-11-23"}
    env.pop("HANDBOOK_DEBUG", None)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "handbook", "--root", str(root), *args], env=env, cwd=root,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=_limits)
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def assert_bounded(run: Run) -> None:
    """What every case must hold, whatever else it checks."""
    assert "Traceback" not in run.text, run.text[-3000:]
    assert "MemoryError" not in run.text and "RecursionError" not in run.text, run.text[-3000:]
    assert run.seconds < TIME_LIMIT


def tree_digest(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``: (mode, sha256); a change anywhere in evidence/ shows."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(folder))] = (0, os.readlink(path))
        elif path.is_file():
            found[str(path.relative_to(folder))] = (path.stat().st_mode, hashlib.sha256(path.read_bytes()).hexdigest())
    return found


@pytest.fixture
def demo(tmp_path) -> Path:
    """A copy of the shipped demo (standards/ and evidence/, 2.8 MB) to commit hostile things into."""
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copytree(ROOT / "standards", root / "standards")
    shutil.copytree(ROOT / "evidence", root / "evidence")
    return root


def a_pdf(root: Path) -> Path:
    """One evidence PDF of the demo (the same one every time)."""
    return sorted((root / "evidence").rglob("*.pdf"))[0]
