"""Files that are someone else's: hard-linked from outside evidence/, or on another device.

A hard link is the same file under two names. One linked in from, say, a home folder would be published
(and a write through either name changes both), so it is listed with a problem and never published.

The build's own links into site/ raise the link count too, so the rule is about what the scan first saw: a
path that appears (or an inode that replaces it) with more than one link is someone else's file; a file first
seen with one link whose count later rises was linked *out* by the build (site/, or serve's kept tree), and
that count is allowed from then on (``HashCache.allow_links``). A file on another device than evidence/
itself (a bind mount, a mounted share) is refused the same way: evidence is what the repository holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from handbook.model import Level, Problem
from handbook.scan.cache import HashCache

FOREIGN_CODE = "foreign-file"
FOUND_FOREIGN = 0  # the allowed link count stored for a file found to be someone else's: it stays refused


def foreign_links(entries: Iterable, cache: HashCache, root: Path) -> dict[str, Problem]:
    """Raw path → the problem, for every regular file whose link count or device says it comes from elsewhere."""
    try:
        device = os.stat(root).st_dev
    except OSError:
        return {}
    found: dict[str, Problem] = {}
    for entry in entries:
        st = entry.stat
        if entry.kind != "file" or st is None:
            continue
        allowed = _allowed_links(cache, entry.rel, st)
        if st.st_dev != device:
            found[entry.raw] = Problem(
                FOREIGN_CODE, f"{entry.rel}：这个文件在另一个磁盘或挂载点上，不在 evidence/ 所在的磁盘里；已列出，不发布",
                "把文件本身复制进 evidence/ 后提交（不要用挂载或链接）", Level.ERROR)
        elif st.st_nlink > allowed:
            found[entry.raw] = Problem(
                FOREIGN_CODE, f"{entry.rel}：这个文件是硬链接，另有 {st.st_nlink - 1} 个名字指向同一份内容"
                "（可能在 evidence/ 以外）；已列出，不发布，因为改动任一处都会改动另一处",
                "删除这个链接，把文件复制一份（而不是硬链接）放进来后提交", Level.ERROR)
    return found


def _allowed_links(cache: HashCache, rel: str, st) -> int:
    """How many links are the file's own; 0 once it was found to be someone else's (remembered)."""
    before = cache.seen_before(rel, st.st_ino)
    if before is None:  # first sight of this file: one name is its own, any other is someone else's
        if st.st_nlink > 1:
            cache.allow_links(rel, FOUND_FOREIGN)
        return 1
    if before.nlink == FOUND_FOREIGN or st.st_nlink <= before.nlink:
        return before.nlink
    cache.allow_links(rel, st.st_nlink)  # a known file of ours linked out (by the build): allowed from now on
    return st.st_nlink
