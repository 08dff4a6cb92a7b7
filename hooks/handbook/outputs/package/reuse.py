"""Skip the review package when nothing it is made from changed.

A default ``mkdocs build`` writes the package every time: at N = 10,000 (5 GB) that was 23–46 s of a 55 s
no-change build. The package is a function of the scan (every file's path, size, hash and what was read
from it; not its mtime, which only says when it was touched), the plan and the standard, the indicator
values, the checkout's provenance (commit, date, uncommitted changes: the README names them), the tools
found (LibreOffice, the CJK font) and this code. ``package_key`` digests all of them.

After a package is written, ``record`` stores its result beside it and then, last, a stamp naming the key
and the size and mtime of every output. ``reusable`` gives that result back only when the key is the same
and every output is still what was written; anything else (no stamp, an unreadable one, a deleted or
replaced zip) means "build it". Deleting ``package-stamp.json`` forces the next build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from dataclasses import fields
from pathlib import Path

from handbook.model import Archive, EvidenceFile
from handbook.util.version import code_version

log = logging.getLogger(__name__)

STAMP = "package-stamp.json"  # written last: its presence says the result beside it is complete
RESULT = "package-result.pickle"  # our own cache, read only after the stamp's key matched
FORMAT = 2  # bump when what the stamp holds changes

# Every field of an evidence file but its mtime: a touched file with the same bytes makes the same package.
_FILE_FIELDS = tuple(f.name for f in fields(EvidenceFile) if f.name != "mtime_ns")


def package_key(archive: Archive, provenance, tools: tuple = ()) -> str:
    """What the package is made from, as one digest (see the module docstring)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{FORMAT}:{code_version()}".encode())
    files = [tuple(getattr(f, name) for name in _FILE_FIELDS) for f in sorted(archive.files, key=lambda f: f.path)]
    project = archive.project
    for part in (files, project.plan, project.standard, archive.indicators, provenance, tools,
                 str(archive.evidence_root or project.root / "evidence")):
        digest.update(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
    return digest.hexdigest()


def _outputs(result) -> list[Path]:
    return [Path(p) for p in result.outputs]


def _stamps(paths: list[Path]) -> dict[str, list[int]] | None:
    """Size and mtime (ns) of each output; None when one is missing."""
    stamps = {}
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            return None
        stamps[str(path)] = [st.st_size, st.st_mtime_ns]
    return stamps


def reusable(out_dir: Path, key: str):
    """The previous build's PackageResult when its inputs had this ``key`` and its outputs are intact."""
    try:
        stamp = json.loads((Path(out_dir) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("format") != FORMAT or stamp.get("key") != key:
        return None
    outputs = stamp.get("outputs")
    if not isinstance(outputs, dict) or _stamps([Path(p) for p in outputs]) != outputs:
        return None  # an output was deleted, replaced or touched: build again
    try:
        with open(Path(out_dir) / RESULT, "rb") as handle:
            result = pickle.load(handle)  # written by this same code (the key includes its version)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    if sorted(str(p) for p in _outputs(result)) != sorted(outputs):
        return None
    return result


def record(out_dir: Path, key: str, result) -> None:
    """Remember a package just written: the result first, the stamp (with the outputs' stamps) last."""
    out_dir = Path(out_dir)
    stamps = _stamps(_outputs(result))
    if stamps is None:
        return
    try:
        _write_atomic(out_dir / RESULT, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        stamp = {"format": FORMAT, "key": key, "outputs": stamps}
        _write_atomic(out_dir / STAMP, json.dumps(stamp, ensure_ascii=False, indent=1).encode("utf-8"))
    except (OSError, pickle.PicklingError, TypeError) as error:
        # Only the next build's shortcut is lost; the package itself is complete.
        log.info("材料包已生成，但记录其输入失败（下次构建将重新生成）：%s", error)
        forget(out_dir)


def forget(out_dir: Path) -> None:
    """Drop the stamp, then the result (a build is about to replace the outputs they describe)."""
    (Path(out_dir) / STAMP).unlink(missing_ok=True)
    (Path(out_dir) / RESULT).unlink(missing_ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False) as out:
        out.write(data)
    os.replace(out.name, path)
