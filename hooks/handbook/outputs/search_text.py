"""The text layer of text-based PDFs, for search: bounded, and cached by the file's SHA-256.

Only the first ``MAX_PAGES`` pages and ``MAX_CHARS`` characters are read: enough for the title page, the
文号 and the first paragraphs a person remembers, and it keeps the index (and every build) small at 10,000
files. A scan of paper has no text layer and gives "" (OCR is a later step). The cache maps the SHA-256 the
scan already computed to the text, so an unchanged file is never opened again, even after a rename or a move;
entries of files no longer in the archive are dropped when the cache is saved.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from pathlib import Path

from handbook.util.files import open_readonly

log = logging.getLogger(__name__)

MAX_PAGES = 3
MAX_CHARS = 2000
CACHE_NAME = "search-text.json"
CACHE_VERSION = 1  # raise when the extraction changes, so old texts are read again

_SPACE = re.compile(r"\s+")
# pypdf puts a space or a line break between the glyph runs of Chinese text; between two Chinese characters it
# is noise (it would split 卫生城市 into 卫生 城市 for a phrase query).
_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


class PdfTextCache:
    """SHA-256 → extracted text, kept in ``<cache_dir>/search-text.json``. ``read`` / ``cached`` count work."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.path = cache_dir / CACHE_NAME if cache_dir else None
        self.texts: dict[str, str] = {}
        self.used: set[str] = set()
        self.read = self.cached = 0
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # a damaged cache is only slower: everything is read again
            log.debug(f"搜索文本缓存 {self.path} 无法读取，将重新提取：{exc}")
            return
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION and isinstance(data.get("texts"), dict):
            self.texts = {str(k): str(v) for k, v in data["texts"].items()}

    def text_of(self, path: Path, sha256: str) -> str:
        """The PDF's bounded text layer ("" for a scan, a damaged or an encrypted file)."""
        self.used.add(sha256)
        if sha256 in self.texts:
            self.cached += 1
            return self.texts[sha256]
        self.read += 1
        text = self.texts[sha256] = extract_text(path)
        return text

    def save(self) -> None:
        """Write the texts of this build's files (only those) atomically; a read-only checkout skips it."""
        if self.path is None:
            return
        kept = {sha: self.texts[sha] for sha in sorted(self.used) if sha in self.texts}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.path.parent, suffix=".tmp",
                                             delete=False) as out:
                json.dump({"version": CACHE_VERSION, "texts": kept}, out, ensure_ascii=False)
            os.replace(out.name, self.path)
        except OSError as exc:
            log.debug(f"未能写入搜索文本缓存 {self.path}：{exc}")


def extract_text(path: Path, max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS) -> str:
    """The first pages' text, whitespace folded, at most ``max_chars`` characters; "" when there is none.

    Never raises: the evidence check reports damaged and encrypted PDFs on its own; search just has no text."""
    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # damage pypdf tolerates is the evidence check's to report, not ours
    try:
        with open_readonly(path) as handle:
            reader = PdfReader(handle, strict=False)
            if reader.is_encrypted:
                return ""
            parts: list[str] = []
            size = 0
            for page in reader.pages[:max_pages]:
                part = _SPACE.sub(" ", page.extract_text() or "").strip()
                parts.append(part)
                size += len(part)
                if size >= max_chars:
                    break
    except Exception as exc:  # noqa: BLE001 — any damage in any of pypdf's parsers means "no text"
        log.debug(f"未能提取 {path} 的文字：{exc}")
        return ""
    finally:
        pypdf_log.setLevel(level)
    return _CJK_GAP.sub("", " ".join(p for p in parts if p))[:max_chars]
