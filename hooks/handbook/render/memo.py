"""The memo of rendered pages: a page whose template gets the inputs of the last render is not rendered again.

``mkdocs serve`` keeps one memo for its whole session; ``mkdocs build`` keeps it on disk between runs
(``load`` / ``save``, under ``.cache/handbook/``), so a build with nothing changed runs no template at all. The
file holds the code version it was made by (``handbook.util.version``): a changed template or view makes
every stored page stale. Safe to delete: the next build renders every page again.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable
from pathlib import Path

from handbook.util.atomic import write_bytes
from handbook.model import EvidenceFile
from handbook.util.digest import Shared, value_digest
from handbook.util.version import code_version

log = logging.getLogger(__name__)

FORMAT = 1  # bump when what the file holds changes
FILE_NAME = "rendered-pages.pickle"  # under the cache folder (handbook.pipeline.default_cache_dir)


def inputs_key(inputs: tuple, files: Shared | None = None) -> bytes:
    """A digest of a page's inputs that depends on their values only (handbook.util.digest); ``files``: the
    evidence files digested so far in this render."""
    return value_digest(inputs, Shared(EvidenceFile) if files is None else files)


class PageMemo:
    """The text of each page, keyed by a digest of everything its template was given.

    After one new evidence file only the pages whose inputs changed (its item, its unit, the dashboards) go
    through Jinja again. The inputs are dataclasses, strings and numbers; their pickle is a faithful copy
    (equal bytes, equal inputs, equal page) and about three times quicker to make than their repr. A page whose
    inputs cannot be pickled is rendered every time. The copy kept on disk relies on ``inputs_key`` being the
    same in every process for the same values (see there).
    """

    def __init__(self, pages: dict[str, tuple[bytes, str]] | None = None) -> None:
        self._pages: dict[str, tuple[bytes, str]] = pages or {}
        self._used: set[str] = set()  # the pages of the current render
        self._files = Shared(EvidenceFile)  # the evidence files digested in this render (inputs_key)
        self.rendered_now: set[str] = set()  # … those of them that went through Jinja
        self.rendered = 0  # over the memo's life (a serve session)
        self.reused = 0

    def begin(self) -> None:
        """A new render of the site starts (render_site calls this): last render's files may have changed since."""
        self._used.clear()
        self._files.clear()
        self.rendered_now.clear()

    def page(self, uri: str, inputs: tuple, render: Callable[[], str]) -> str:
        self._used.add(uri)
        try:
            key = inputs_key(inputs, self._files)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):  # e.g. a lambda among the values
            self.rendered += 1
            self.rendered_now.add(uri)
            return render()
        cached = self._pages.get(uri)
        if cached is not None and cached[0] == key:
            self.reused += 1
            return cached[1]
        text = render()
        self._pages[uri] = (key, text)
        self.rendered += 1
        self.rendered_now.add(uri)
        return text

    # -- kept on disk between builds

    @classmethod
    def load(cls, cache_dir: Path) -> PageMemo:
        """The memo the last build saved under ``cache_dir``; an empty one when there is none or it is stale."""
        path = Path(cache_dir) / FILE_NAME
        try:
            stored = pickle.loads(path.read_bytes())  # our own cache file, written by save() below
        except FileNotFoundError:
            return cls()
        except Exception as error:  # noqa: BLE001 - a damaged cache is rebuilt, never trusted
            log.info("页面缓存 %s 无法读取（%s），本次重新生成全部页面", path, type(error).__name__)
            return cls()
        if not isinstance(stored, dict) or stored.get("format") != FORMAT or stored.get("code") != code_version():
            return cls()
        pages = stored.get("pages")
        return cls(pages if isinstance(pages, dict) else None)

    def save(self, cache_dir: Path) -> None:
        """Keep the pages of this render (only those: a page no longer made is dropped) for the next build.
        Nothing is written when every page was taken from the memo as it was loaded."""
        kept = {uri: entry for uri, entry in self._pages.items() if uri in self._used}
        if not self.rendered_now and len(kept) == len(self._pages):
            return
        self._pages = kept
        data = {"format": FORMAT, "code": code_version(), "pages": kept}
        try:
            write_bytes(Path(cache_dir) / FILE_NAME, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as error:  # a read-only checkout: the next build renders every page again
            log.info("页面缓存无法写入 %s（%s），下次构建将重新生成全部页面", cache_dir, error.strerror or error)
