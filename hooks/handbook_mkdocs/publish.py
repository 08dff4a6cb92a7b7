"""Publishing files into site/ by hard link: evidence and package outputs exist once on disk.

MkDocs copies every static file on every build (and stats both ends to decide). Evidence is gigabytes, so the
files are registered with ``File.generated(abs_src_path=…)`` and hard-linked; a copy is the fallback across
filesystems. Nothing here ever writes under evidence/.

Read-only publishing (issue 17): a hard link shares its mode with the original, so site/ cannot be made
read-only file by file; the choice is that the web server only reads site/ (docs/workflow.md, 七), no reflink
(not every filesystem has it). A department's file that is itself a hard link to somewhere else is listed and
never published (handbook.scan.links).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel


class LinkedFile(File):
    """A file already hard-linked into site/: MkDocs has nothing to copy (it would stat both ends to find out)."""

    linked = False

    def copy_file(self, dirty: bool = False) -> None:
        if not self.linked:
            super().copy_file(dirty)


def publish_static(
    files: Files, config: MkDocsConfig, sources: list[tuple[str, Path]], still_linked: set[str] | frozenset = frozenset()
) -> tuple[int, int]:
    """Register files MkDocs must not copy on every build; hard-link them into site/ (``still_linked``: already
    there from the previous serve build). Returns (linked, copied)."""
    linked = copied = 0
    made: set[str] = set()
    for uri, source in sources:
        file = cast(LinkedFile, LinkedFile.generated(config, uri, abs_src_path=str(source),
                                                     inclusion=InclusionLevel.NOT_IN_NAV))
        files.append(file)
        file.linked = uri in still_linked or link_into_site(source, Path(file.abs_dest_path), made)
        if file.linked:
            linked += 1
        else:
            copied += 1
    return linked, copied


def link_into_site(source: Path, dest: Path, made: set[str]) -> bool:
    """Hard-link ``source`` to ``dest`` (MkDocs then skips the copy); False when it fell back to a copy.

    ``made``: folders already created in this build (ten thousand files share a few hundred folders)."""
    folder = os.path.dirname(dest)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    for attempt in range(2):
        try:
            os.link(source, dest, follow_symlinks=False)  # a file swapped for a link after the scan stays a link
            return True
        except FileExistsError:  # a stale file in site/ (dirty build); never touches evidence/
            if attempt or os.path.samefile(source, dest):
                return not attempt
            os.unlink(dest)
        except OSError:
            return False  # another filesystem (e.g. serve's temp dir): MkDocs copies it as usual
    return False


def _kept_place(site_dir: Path) -> tuple[Path, Path]:
    return site_dir / "evidence", site_dir.parent / f".{site_dir.name}-evidence"


def set_evidence_aside(site_dir: Path) -> None:
    """Move site/evidence beside site/ before MkDocs empties site/ (one rename)."""
    linked, kept = _kept_place(site_dir)
    if linked.is_dir() and not kept.exists():
        os.replace(linked, kept)


def bring_back_evidence(site_dir: Path, keep: set[str]) -> None:
    """Put the linked tree back and unlink what this build does not publish (deleted, renamed, now restricted).

    A file replaced under the same name is a different inode: ``link_into_site`` sees that and links it anew."""
    linked, kept = _kept_place(site_dir)
    if not kept.is_dir() or linked.exists():
        return
    os.replace(kept, linked)
    for folder, _, names in os.walk(linked):
        for name in names:
            path = os.path.join(folder, name)
            uri = Path(os.path.relpath(path, site_dir)).as_posix()
            if uri not in keep:
                os.unlink(path)


def shown_path(path: Path, root: Path) -> str:
    """``path`` relative to the project when it is inside it (what a maintainer types), else absolute."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
