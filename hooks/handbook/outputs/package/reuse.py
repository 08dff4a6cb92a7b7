"""Skip the review package when nothing it is made from changed (handbook.outputs.reuse, with its stamp in the
package folder).

The package's key adds to the judged model's (``archive_key``) the checkout's provenance (commit, date,
uncommitted changes: the README names them) and the tools found (LibreOffice, the CJK font). Deleting
``package-stamp.json`` forces the next build.
"""

from __future__ import annotations

from pathlib import Path

from handbook.model import Archive
from handbook.outputs.reuse import Stamp, archive_key

NAME = "package"  # package-stamp.json, package-result.pickle


def package_key(archive: Archive, provenance, tools: tuple = ()) -> str:
    return archive_key(archive, provenance, tools)


def _outputs(result) -> list[Path]:
    return [Path(p) for p in result.outputs]


def reusable(out_dir: Path, key: str):
    """The previous build's PackageResult when its inputs had this ``key`` and its outputs are intact."""
    result = Stamp(out_dir, NAME).reusable(key)
    if result is None or not hasattr(result, "outputs"):
        return None
    return result


def record(out_dir: Path, key: str, result) -> None:
    Stamp(out_dir, NAME).record(key, result, _outputs(result))


def forget(out_dir: Path) -> None:
    Stamp(out_dir, NAME).forget()
