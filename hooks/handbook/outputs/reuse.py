"""Skip writing an output when nothing it is made from changed: the package, the 催报单, the 问题文件清单.

A default ``mkdocs build`` writes them all every time. At N = 10,000 (5 GB) the package was 23–46 s of a
55 s no-change build, and the 45 workbooks of the 催报单 and the full problem list another 4.4 s of 11 s. Each
is a function of the judged model: every file's path, size, hash and what was read from it (not its mtime,
which only says when it was touched: left out of each file's digest), the judged cells, the plan and the standard, the indicator values, the
diagnostics and the findings, and this code. ``archive_key`` digests all of them, plus what a caller adds (the package: the
checkout's provenance and the tools found).

After an output is written, ``Stamp.record`` stores the writer's result and then, last, a stamp naming the
key and the size and mtime of every file written. ``Stamp.reusable`` gives that result back only when the
key is the same and every file is still what was written; anything else (no stamp, an unreadable one, a
deleted or replaced file) means "write it". Deleting the stamp forces the next build to write.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from handbook.model import Archive, EvidenceFile
from handbook.util.atomic import write_bytes
from handbook.util.digest import Shared, value_digest
from handbook.util.version import code_version

log = logging.getLogger(__name__)

FORMAT = 3  # bump when what a stamp holds or what the key digests changes

R = TypeVar("R")


def archive_key(archive: Archive, *extra: Any) -> str:
    """What an output of the judged model is made from, as one digest (see the module docstring)."""
    project = archive.project
    files = sorted(archive.files, key=lambda f: f.path)
    parts = (FORMAT, code_version(), files, archive.cells, project.plan, project.standard, project.diagnostics,
             archive.indicators, archive.indicator_problems, archive.findings, archive.finding_problems,
             str(archive.evidence_root or project.root / "evidence"), *extra)
    return value_digest(parts, Shared(EvidenceFile, without=("mtime_ns",))).hex()


class Stamp:
    """The record, in ``folder``, of the last time an output called ``name`` was written."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = Path(folder)
        self.stamp = self.folder / f"{name}-stamp.json"  # written last: its presence says the result is complete
        self.result = self.folder / f"{name}-result.pickle"  # our own cache, read only after the key matched

    def reusable(self, key: str) -> Any:
        """The result recorded with this ``key`` when every file it names is as written; else None."""
        try:
            stamp = json.loads(self.stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(stamp, dict) or stamp.get("format") != FORMAT or stamp.get("key") != key:
            return None
        outputs = stamp.get("outputs")
        if not isinstance(outputs, dict) or _stamps(Path(p) for p in outputs) != outputs:
            return None  # an output was deleted, replaced or touched: write it again
        try:
            with open(self.result, "rb") as handle:
                return pickle.load(handle)  # written by this same code (the key includes its version)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None

    def record(self, key: str, result: Any, outputs: Iterable[Path]) -> None:
        """Remember an output just written: the result first, the stamp (with the files' stamps) last."""
        stamps = _stamps(outputs)
        if stamps is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes(self.result, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            stamp = {"format": FORMAT, "key": key, "outputs": stamps}
            write_bytes(self.stamp, json.dumps(stamp, ensure_ascii=False, indent=1).encode("utf-8"))
        except (OSError, pickle.PicklingError, TypeError) as error:
            # Only the next build's shortcut is lost; the output itself is complete.
            log.info("已写出，但记录其输入失败（下次构建将重新生成）：%s（%s）", self.stamp, error)
            self.forget()

    def forget(self) -> None:
        """Drop the stamp, then the result (the outputs they describe are about to be replaced)."""
        self.stamp.unlink(missing_ok=True)
        self.result.unlink(missing_ok=True)

    def reuse_or_write(self, key: str, write: Callable[[], R], outputs: Callable[[R], Iterable[Path]]) -> R:
        """The recorded result when ``key`` is unchanged, else ``write()``'s (recorded for the next build)."""
        previous = self.reusable(key)
        if previous is not None:
            return previous
        self.forget()
        result = write()
        self.record(key, result, outputs(result))
        return result


def _stamps(paths: Iterable[Path]) -> dict[str, list[int]] | None:
    """Size and mtime (ns) of each file; None when one is missing."""
    stamps = {}
    for path in paths:
        try:
            st = Path(path).stat()
        except OSError:
            return None
        stamps[str(path)] = [st.st_size, st.st_mtime_ns]
    return stamps
