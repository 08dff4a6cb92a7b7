"""Files that are someone else's: hard-linked from outside evidence/, or on another device.

A hard link is the same file under two names. One linked in from, say, a home folder would be published
(and a write through either name changes both), so it is listed with a problem and never published.

The build's own links into site/ raise the link count too: a link at the file's own place in the published
tree (site/evidence/<path>, or the tree a build keeps beside site/ while MkDocs empties it) that is the same
inode is ours; any other name is someone else's. The rule is decided from the disk alone, never from the
cache, so deleting .cache cannot change a verdict. A file on another device than evidence/ itself (a bind
mount, a mounted share) is refused the same way: evidence is what the repository holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from handbook.model import Level, Problem
from handbook.scan.cache import HashCache

FOREIGN_CODE = "foreign-file"


def default_own_dirs(evidence_root: Path) -> tuple[Path, ...]:
    """Where the build publishes evidence by hard link when site_dir is the default ``site``."""
    project = Path(evidence_root).parent
    return project / "site" / "evidence", project / ".site-evidence"


def foreign_links(entries: Iterable, cache: HashCache, root: Path,
                  own_dirs: Iterable[Path] | None = None, known: dict | None = None) -> dict[str, Problem]:
    """Raw path → the problem, for every regular file whose link count or device says it comes from elsewhere.

    ``known`` (a ``mkdocs serve`` session's, kept across its scans): raw path → (the file's device, inode, link
    count, ctime and the folders looked in; the verdict). Making or removing any name of a file changes its
    link count and its ctime, so an equal key is an equal verdict, without the lstat of each published link
    (20,000 calls at N = 10,000, on every save). Only the preview keeps verdicts: ``mkdocs build`` and the
    package decide from the disk alone."""
    try:
        device = os.stat(root).st_dev
    except OSError:
        return {}
    # The project's own site/ is always ours (``make serve`` builds it before the preview builds into a temporary
    # folder, and both link the same files); ``own_dirs`` adds where this build publishes. Plain strings: at
    # N = 10,000 published files this is 20,000 lstat calls, and Path objects cost more than them.
    dirs = tuple(dict.fromkeys(os.fspath(d) for d in (*default_own_dirs(root), *(own_dirs or ()))))
    found: dict[str, Problem] = {}
    seen: set[str] = set()
    for entry in entries:
        st = entry.stat
        if entry.kind != "file" or st is None:
            continue
        if known is not None:
            seen.add(entry.raw)
            key = (st.st_dev, st.st_ino, st.st_nlink, st.st_ctime_ns, device, dirs)
            kept = known.get(entry.raw)
            if kept is None or kept[0] != key:
                kept = known[entry.raw] = (key, _verdict(entry, st, device, dirs))
            if kept[1] is not None:
                found[entry.raw] = kept[1]
            continue
        problem = _verdict(entry, st, device, dirs)
        if problem is not None:
            found[entry.raw] = problem
    if known is not None:
        for raw in known.keys() - seen:
            del known[raw]
    return found


def _verdict(entry, st, device: int, dirs: tuple[str, ...]) -> Problem | None:
    """The problem of one regular file that is someone else's; None for a file that is only ours."""
    if st.st_dev != device:
        return Problem(
            FOREIGN_CODE, "这个文件在另一个磁盘或挂载点上，不在 evidence/ 所在的磁盘里；已列出，不发布",
            "把文件本身复制进 evidence/ 后提交（不要用挂载或链接）", Level.ERROR)
    if st.st_nlink > 1 and st.st_nlink > 1 + _own_links(dirs, entry.rel, st):  # a file with one name: no lookup
        return Problem(
            FOREIGN_CODE, f"这个文件是硬链接，另有 {st.st_nlink - 1} 个名字指向同一份内容"
            "（可能在 evidence/ 以外）；已列出，不发布，因为改动任一处都会改动另一处",
            "删除这个链接，把文件复制一份（而不是硬链接）放进来后提交", Level.ERROR)
    return None


def _own_links(dirs: tuple[str, ...], rel: str, st) -> int:
    """How many of the extra names are the build's own published links of this very file."""
    own = 0
    for folder in dirs:
        try:
            other = os.lstat(os.path.join(folder, rel))
        except (OSError, ValueError):
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            own += 1
    return own
