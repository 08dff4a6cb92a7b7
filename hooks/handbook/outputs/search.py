"""The site's search index: Pagefind (extended build, which segments Chinese), written into site/pagefind/.

Run after the site is written (the MkDocs plugin calls ``build_search_index`` at on_post_build). It indexes
the pages a person searches for (items, units, categories, indicators, guide, FAQ, workflow) and one record
per published evidence file, so that a file is found by its title, unit, year, material or a phrase of its
text, and opens its item page at the material it serves (one page per file would double the site).

Ranking comes from weights, never from special cases:

- a page's own title (h1) weighs most, an item's material headings (``03.1 年度工作计划``) and a unit's names
  (全称, 也写作) next; so ``市城管局`` finds the unit page and ``03.1`` finds item 3;
- a link names another page: its text counts little here (an item page names its units, a unit page its
  items), so the named page ranks above the pages that merely mention it;
- a file's record: its title and material above its unit and year, its text layer least.

The index is bounded whatever is committed: at most ``RECORDS_PER_PAGE`` file records open one page (files
without problems first), ``PROBLEM_RECORDS`` for files that serve no item (they open /problems/, which lists
them all in its workbook), and each value of a record is cut to ``FIELD_CHARS``. 100,000 misfiled files made
a 100 MB index before; the files left out are counted and said in the build log.

Restricted files are never indexed: no record, their text is never read, and their titles (listed on the item
pages, never published) are taken out of the indexed page text. The Pagefind binary runs as a subprocess
through its Python API; nothing here imports MkDocs.
"""

from __future__ import annotations

import hashlib
import html
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from handbook.model import Archive, EvidenceFile
from handbook.outputs import search_writer
from handbook.outputs.search_text import MAX_CHARS, PdfTextCache
from handbook.render.context import anchor, is_published

log = logging.getLogger(__name__)

OUTPUT_DIR = "pagefind"
LANGUAGE = "zh"  # one index: the site is Chinese (English words still match as themselves)
# Kept inside a word: "03.1" is then one word, found only by "03.1" (or "03.1x"). Without it the id is split
# into "03" and "1" and joined as "031" only as a compound part, which any whole word "031" (a 编号 such as
# DF-2026-031) outranks. A full stop ending an English sentence is still stripped by Pagefind.
KEPT_CHARACTERS = "."
# Site sections worth a search result, with the label a result shows. The home page, the lists (missing,
# problems, changes) and the package page only repeat what these say, and would crowd the results.
SECTIONS = {"items": "标准条目", "units": "单位", "categories": "分类", "indicators": "指标",
            "guide": "提交指南", "faq": "常见问题", "workflow": "工作流程"}
WHERE_CLASSES = ("hb-where", "hb-name-row", "hb-upload")  # render/upload: the upload hint of a missing row
TITLE_WEIGHT = "10"
NAME_WEIGHT = "8"  # material headings, a unit's other names
LINK_WEIGHT = "0.3"  # text of a link to another page
FILE_TITLE_WEIGHT = "5"
FILE_WHERE_WEIGHT = "2"  # item and material
FILE_FACTS_WEIGHT = "1"  # unit and years: shared by hundreds of files, the unit's own page should win
FILE_TEXT_WEIGHT = "0.5"
FILE_KIND = "佐证文件"  # a file record's kind; the search script ranks a page above a file record of its tier
# Bounds (see the module docstring). A real item has a few hundred files even at N = 10,000 (45 items).
RECORDS_PER_PAGE = 1000
PROBLEM_RECORDS = 200
FIELD_CHARS = 300  # a sidecar's doc_number or issuer can be any length; a title is cut by the filesystem


@dataclass
class SearchStats:
    pages: int = 0
    file_records: int = 0
    pdf_texts_read: int = 0
    pdf_texts_cached: int = 0
    seconds: float = 0.0
    index_bytes: int = 0
    reused: bool = False  # the kept index was made from the same documents
    errors: list[str] = field(default_factory=list)
    records_left_out: dict[str, int] = field(default_factory=dict)  # page → published files not indexed

    def as_dict(self) -> dict:
        return {"search_pages": self.pages, "search_file_records": self.file_records,
                "search_pdf_texts_read": self.pdf_texts_read, "search_pdf_texts_cached": self.pdf_texts_cached,
                "search_seconds": self.seconds, "search_index_bytes": self.index_bytes,
                "search_reused": int(self.reused), "search_records_left_out": sum(self.records_left_out.values())}


class SearchIndexError(RuntimeError):
    """The index could not be written (the Pagefind binary is missing or failed); the message is Chinese."""


def build_search_index(site_dir: Path, archive: Archive, cache_dir: Path | None = None,
                       kept: Path | None = None) -> SearchStats:
    """Index the written site under ``site_dir`` and the archive's files; write ``site_dir/pagefind/``.

    ``cache_dir`` keeps the PDF text cache (normally ``<root>/.cache/handbook``); None reads every PDF.
    ``kept`` is where the last index waits between builds: when the pages and records
    are what it was made from, its files are linked back instead of running Pagefind again."""
    start = time.perf_counter()
    site_dir = Path(site_dir)
    stats = SearchStats()
    texts = PdfTextCache(cache_dir)
    pages = list(page_documents(site_dir))
    chosen, stats.records_left_out = indexed_files(archive)
    records = list(file_documents(archive, texts, chosen))
    texts.save()
    for page, count in stats.records_left_out.items():
        log.info("站内搜索：%s 的文件太多，另有 %d 个文件未编入搜索索引（页面和问题文件清单中仍全部列出）", page, count)
    stats.pages, stats.file_records = len(pages), len(records)
    stats.pdf_texts_read, stats.pdf_texts_cached = texts.read, texts.cached
    output = site_dir / OUTPUT_DIR
    documents = pages + records
    digest = search_writer.documents_digest(documents, repr(sorted(_config().items())))
    if kept is not None and search_writer.reuse_kept(kept, digest, output):
        stats.reused = True
    else:
        _write(documents, output)
        if kept is not None:
            search_writer.keep(output, kept, digest)
    stats.index_bytes = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    stats.seconds = round(time.perf_counter() - start, 3)
    return stats


def _config() -> dict:
    return {"force_language": LANGUAGE, "include_characters": KEPT_CHARACTERS}


def _write(documents: list[tuple[str, str]], output: Path) -> None:
    try:
        search_writer.write_index(documents, output, _config())
    except FileNotFoundError as exc:  # the wrapper raises this when no binary is installed
        raise SearchIndexError(f"没有找到 Pagefind 程序（{exc}）；请安装 pip install \"pagefind[extended]\"") from exc
    except search_writer.IndexWriteError as exc:
        raise SearchIndexError(str(exc)) from exc


# --------------------------------------------------------------------------- pages of the site


def page_documents(site_dir: Path):
    """(url, HTML to index) of every page in SECTIONS, its content weighted for ranking."""
    for section, label in SECTIONS.items():
        folder = site_dir / section
        for path in sorted(folder.glob("**/index.html")) if folder.is_dir() else ():
            if len(path.relative_to(folder).parts) > 2:
                continue  # an item's per-material file listings, a unit's later file pages: each file has a record
            url = "/" + path.parent.relative_to(site_dir).as_posix() + "/"
            document = indexed_page(path.read_text(encoding="utf-8"), section, label)
            if document is not None:
                yield url, document


def indexed_page(page_html: str, section: str, label: str) -> str | None:
    """The page's article (no navigation, header or footer) as a document for Pagefind, with weights."""
    root = lxml.html.fromstring(page_html)
    articles = root.xpath('//article[contains(concat(" ", normalize-space(@class), " "), " md-content__inner ")]')
    if not articles:
        return None
    article = articles[0]
    _drop(article.xpath('.//a[contains(@class, "headerlink")]'))  # the ¶ after each heading
    # Where a missing file goes (folder, suggested names, 复制 buttons, 上传): the same folder paths on every
    # row of a unit page, matching every query of an item's number and crowding out the page's own words.
    _drop(article.xpath(".//button | " + " | ".join(f'.//*[contains(concat(" ", @class, " "), " {name} ")]'
                                                    for name in WHERE_CLASSES)))
    _drop_excluded_sections(article)
    _hide_restricted_titles(article)
    for link in article.xpath(".//a[@href]"):
        link.set("data-pagefind-weight", LINK_WEIGHT)
    for heading in article.xpath(".//h1"):
        heading.set("data-pagefind-weight", TITLE_WEIGHT)
    if section == "items":  # material headings: "03.1 年度工作计划"
        for heading in article.xpath(".//h3[@id]"):
            heading.set("data-pagefind-weight", NAME_WEIGHT)
    if section == "units":  # 全称, 也写作: the names people type for the unit
        for table in article.xpath('.//*[contains(@class, "hb-facts")]'):
            table.set("data-pagefind-weight", NAME_WEIGHT)
    article.set("data-pagefind-body", "")
    article.set("data-pagefind-meta", f"kind:{label}")
    body = lxml.html.tostring(article, encoding="unicode")
    return f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8"></head><body>{body}</body></html>'


def _drop(elements) -> None:
    for element in elements:
        element.drop_tree()  # keeps the tail text (the words after the element)


def _drop_excluded_sections(article) -> None:
    """A heading marked ``data-search-exclude`` and everything up to the next heading of its level or above.

    Such a section is the item page's file table: each file has its own record instead."""
    for heading in article.xpath(".//*[@data-search-exclude]"):
        level = _level(heading)
        sibling = heading.getnext()
        while sibling is not None and not (0 < _level(sibling) <= level):
            following = sibling.getnext()
            sibling.getparent().remove(sibling)
            sibling = following
        heading.getparent().remove(heading)


def _level(element) -> int:
    """1–6 for a heading h1–h6, 0 for anything else (comments included)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return int(tag[1]) if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456" else 0


def _hide_restricted_titles(article) -> None:
    # A restricted file is listed as "<span class=hb-lock>不公开</span> its title": the title leaves the index.
    for lock in article.xpath('.//span[contains(@class, "hb-lock")]'):
        lock.tail = " "


# --------------------------------------------------------------------------- one record per evidence file


def indexed_files(archive: Archive) -> tuple[list[EvidenceFile], dict[str, int]]:
    """The published files that get a record, within the bounds, and how many are left out per page.

    Restricted files, links and unreadable files are never indexed. Per page, files without problems come
    first (then by path): a flood of misnamed files cannot push a department's good files out."""
    by_page: dict[str, list[EvidenceFile]] = {}
    for file in archive.files:
        if is_published(file):
            by_page.setdefault(file_url(file).partition("#")[0], []).append(file)
    chosen: list[EvidenceFile] = []
    left_out: dict[str, int] = {}
    for page, files in by_page.items():
        limit = PROBLEM_RECORDS if page == "/problems/" else RECORDS_PER_PAGE
        if len(files) > limit:
            files = sorted(files, key=lambda f: (bool(f.problems), f.path))
            left_out[page] = len(files) - limit
        chosen += files[:limit]
    order = {id(f): n for n, f in enumerate(archive.files)}
    return sorted(chosen, key=lambda f: order[id(f)]), left_out


def file_documents(archive: Archive, texts: PdfTextCache, files: list[EvidenceFile] | None = None):
    """(url, HTML) of each published evidence file (``files``: those chosen by ``indexed_files``; None: every
    published file): title, unit, years, material, and a PDF's text layer."""
    standard = archive.project.standard
    root = archive.evidence_root or archive.project.root / "evidence"
    for file in archive.files if files is None else files:
        if not is_published(file):  # restricted files, links, unreadable files: never indexed
            continue
        text = texts.text_of(root / file.path, file.sha256) if file.filetype == "pdf" else ""
        yield record_url(file), file_document(file, standard, text)


def file_url(file: EvidenceFile) -> str:
    """Where a result opens: the item page at the file's (first) material; the problems list for a file that
    serves no item (its name did not say which)."""
    if file.item is None:
        return "/problems/"
    page = f"/items/{file.item:02d}/"
    return page + f"#{anchor(file.materials[0])}" if file.materials else page + "#问题文件"


def record_url(file: EvidenceFile) -> str:
    """``file_url`` made unique per file: Pagefind keeps one record per URL, and the files of one material share
    their anchor (325 demo files had 124 URLs). The query part names the file and changes nothing on the page."""
    key = hashlib.sha256(file.path.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    page, _, fragment = file_url(file).partition("#")
    return f"{page}?f={key}" + (f"#{fragment}" if fragment else "")


def file_document(file: EvidenceFile, standard, text: str) -> str:
    """A small HTML document for one file; every value escaped (file names are hostile input)."""
    def e(value: str) -> str:
        return html.escape(value[:FIELD_CHARS])

    item = standard.items.get(file.item) if file.item is not None else None
    materials = [standard.material(m) for m in file.materials]
    where = [f"第 {item.number} 项 {item.title}"] if item else []
    where += [f"{m.id} {m.title}" for m in materials if m is not None]
    years = "、".join(f"{y}年" for y in file.years)
    facts = "　".join(x for x in (file.unit or file.unit_raw, years) if x)
    sidecar = file.sidecar
    issued = " ".join(x for x in (getattr(sidecar, "doc_number", ""), getattr(sidecar, "issuer", "")) if x)
    return (
        f'<!DOCTYPE html><html lang="{LANGUAGE}"><head><meta charset="utf-8"></head><body>'
        f'<main data-pagefind-body data-pagefind-meta="kind:{FILE_KIND}">'
        f'<h1 data-pagefind-weight="{FILE_TITLE_WEIGHT}">{e(file.title or file.name)}</h1>'
        f'<p data-pagefind-weight="{FILE_WHERE_WEIGHT}">{e(" · ".join(where))}</p>'
        f'<p data-pagefind-weight="{FILE_FACTS_WEIGHT}">{e(facts)}{("　" + e(issued)) if issued else ""}</p>'
        f'<p data-pagefind-weight="{FILE_FACTS_WEIGHT}">{e(file.name)}</p>'
        f'<p data-pagefind-weight="{FILE_TEXT_WEIGHT}">{html.escape(text[:MAX_CHARS])}</p>'
        f"</main></body></html>"
    )
