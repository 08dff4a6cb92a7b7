"""What one ``mkdocs serve`` session keeps between its rebuilds (held by the plugin object, not the module).

After one new evidence file only the few pages that list it are rendered and converted again: the generated
Markdown is memoised by its inputs (handbook.render.PageMemo), a page whose Markdown is unchanged gets its
previous HTML, anchors and search entries back, the theme's compiled templates are kept, and the hard-linked
evidence tree is moved aside while MkDocs empties site/ and put back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from handbook.model import Project
from handbook.render import PageMemo
from handbook.scan.memo import FileMemo
from handbook_mkdocs.quick import LastBuild, SearchLater


@dataclass(slots=True)
class Converted:
    """A page as MkDocs converted it. The anchors are kept too: other pages' ``page#anchor`` links are checked
    against them (the reused page's own outgoing links were checked when it was converted)."""

    key: str
    html: str
    toc: Any
    title: str | None
    anchors: set[str] | None


class MemoryBytecodeCache(BytecodeCache):
    """Jinja's compiled templates in memory; the bucket key includes a checksum of the template's source."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


@dataclass
class ServeSession:
    pages: dict[str, Converted] = field(default_factory=dict)  # src uri → last conversion
    keys: dict[str, str] = field(default_factory=dict)  # src uri → key of this build's Markdown
    reused: set[str] = field(default_factory=set)  # pages of this build taken from ``pages``
    context: str = ""  # what else a conversion depends on: the page set and mkdocs.yml
    render_memo: PageMemo = field(default_factory=PageMemo)
    file_memo: FileMemo = field(default_factory=FileMemo)  # the last scan's files (handbook.scan.memo)
    project: tuple[dt.date, Project] | None = None  # the standard and plan as loaded, and on which day
    changes_page: tuple = (None, "")  # (history and plan it was rendered from, Markdown)
    bytecode: MemoryBytecodeCache = field(default_factory=MemoryBytecodeCache)
    evidence_stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # uri → (size, mtime) linked
    kept_dir: Path | None = None  # where the linked tree waits while MkDocs empties site/
    last: LastBuild | None = None  # the last complete build, for the quick rebuild (handbook_mkdocs.quick)
    building: dict = field(default_factory=dict)  # this build's nav, env, Markdown until it completes
    rebuilt: list[str] = field(default_factory=list)  # generated pages the last quick rebuild rebuilt
    search: SearchLater = field(default_factory=SearchLater)
    after_build: list = field(default_factory=list)  # work of a quick rebuild done in the background (quick.py)

    def start_build(self, files: Files, config: MkDocsConfig) -> None:
        self.keys, self.reused = {}, set()
        config_file = Path(config.config_file_path)
        pages = "\n".join(sorted(f.src_uri for f in files.documentation_pages()))
        stamp = f"{config_file.stat().st_mtime_ns}:{pages}"
        context = hashlib.sha1(stamp.encode("utf-8", "surrogateescape")).hexdigest()
        if context != self.context:  # another page set or another mkdocs.yml: start afresh
            self.pages.clear()
            self.context = context

    def keep_build(self, root: Path) -> None:
        """Keep the build that just completed (its files, navigation, theme and Markdown) for a quick rebuild."""
        from handbook_mkdocs.quick import input_stamps

        got = self.building
        if {"markdown", "archive", "env", "config", "files", "nav"} <= got.keys():
            self.last = LastBuild(got["config"], got["files"], got["nav"], got["env"], got["archive"],
                                  got["markdown"], input_stamps(got["config"], root))
        self.building = {}

    def search_later(self, index, then) -> None:
        self.search.start(index, then)

    def wait_for_search(self) -> None:
        self.search.wait()

    # ------------------------------------------------------------------ the linked evidence tree

    @staticmethod
    def _places(config: MkDocsConfig) -> tuple[Path, Path]:
        site = Path(config.site_dir)
        return site / "evidence", site.parent / f".{site.name}-evidence"

    def set_evidence_aside(self, config: MkDocsConfig) -> None:
        linked, kept = self._places(config)
        if linked.is_dir() and not kept.exists():
            os.replace(linked, kept)
            self.kept_dir = kept

    def bring_back_evidence(self, config: MkDocsConfig, stamps: dict[str, tuple[int, int]]) -> set[str]:
        """Put the linked tree back; the uris whose file is as it was (path, size, mtime: the scan's own test)."""
        linked, kept = self._places(config)
        previous, self.evidence_stamps = self.evidence_stamps, {}
        if not kept.is_dir() or linked.exists():
            return set()
        os.replace(kept, linked)
        self.kept_dir = None
        site = Path(config.site_dir)
        for uri in previous.keys() - stamps.keys():  # deleted, renamed, or now restricted: gone from the preview
            with suppress(FileNotFoundError):
                os.unlink(site / uri)
        return {uri for uri, stamp in stamps.items() if previous.get(uri) == stamp}

    def close(self) -> None:
        self.wait_for_search()
        if self.kept_dir is not None:
            shutil.rmtree(self.kept_dir, ignore_errors=True)  # hard links only: evidence/ is not touched
