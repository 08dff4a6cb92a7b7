"""Search (Pagefind, extended build): the index built after a real MkDocs build of the shipped demo, then real
queries typed into the header's search box in Debian's chromium. Expected first results are written here.

Plus the parts that need no browser: the PDF text cache (an unchanged file is never read again), restricted
files never indexed, hostile file names escaped.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from test_browser import _QuietHandler, browser, page  # noqa: F401  (fixtures)
from test_site_build import plugin_of, site_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The shipped demo (standards/, evidence/) built by MkDocs, then indexed as the plugin does at
    on_post_build. Returns (site_dir, stats)."""
    from mkdocs.commands.build import build

    from handbook.outputs.search import build_search_index

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "standards", root / "standards")
    shutil.copytree(ROOT / "evidence", root / "evidence")
    config = site_config(root, strict=True, package=False)  # the package is not what this test is about
    build(config)
    stats = build_search_index(root / "site", plugin_of(config).build.archive, root / ".cache" / "handbook")
    return root / "site", stats


@pytest.fixture(scope="module")
def demo_server(demo_site):
    handler = functools.partial(_QuietHandler, directory=str(demo_site[0]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _results(page, server, query: str) -> list[tuple[str, str]]:  # noqa: F811
    """(path, title) of the results the header's search box lists for ``query``, best first."""
    if not page.url.startswith(server):
        page.goto(server)
    page.click(".md-search__input")
    page.fill(".md-search__input", query)
    page.wait_for_function(  # "找到 N 个结果" or "没有找到与“…”相关的结果" (the hint before names example queries)
        "() => /^(找到|没有找到)/.test(document.querySelector('[data-hb-search-meta]').textContent)", timeout=20000)
    page.wait_for_timeout(200)
    rows = page.eval_on_selector_all(
        ".md-search-result__item > a:first-child",
        "els => els.map(e => [new URL(e.href).pathname + new URL(e.href).hash, e.querySelector('h1').textContent])")
    return [(path, title) for path, title in rows]


@pytest.mark.browser
@pytest.mark.parametrize(("query", "expected", "within"), [
    ("市城管局", "/units/cgj/", 1),  # a unit's name: its own page first, above files whose title begins with it
    ("市教育局", "/units/jyj/", 1),
    ("嵩阳街道", "/units/songyang/", 1),  # a 街道: its page above its 40-odd files
    ("城管局", "/units/cgj/", 1),  # a short form people type (an alias on the unit page)
    # A topic: its item first, above the files whose titles also hold it (item 14's two 垃圾分类 statistics);
    # the issue asked for the top 3 (before Pagefind, item 36 came first and item 14 fifth; item 7 before 6).
    ("垃圾分类", "/items/14/", 1),  # 生活垃圾分类与处理
    ("健康教育", "/items/06/", 1),  # 健康教育网络与科普
    ("病媒生物", "/items/45/", 3),
    # 流动红旗 is awarded in the 通报 filed under 03.5 督导检查和考核通报 ("通报（流动红旗、问题交办和整改反馈）");
    # no other page says it (the site shows no award): item 3 first, never 红十字会 for sharing 红 (the lunr index
    # ranked it first). The section shown under it is checked below.
    ("流动红旗", "/items/03/", 1),
    ("03.1", "/items/03/", 1),  # a material id: one word "03.1" (include_characters), not "031" of DF-2026-031
    ("登封市2026年爱国卫生工作计划", "/items/03/#m03-1", 1),  # a file title → its item page at its material
    ("2025-市爱卫办-登封市2025年爱国卫生工作计划.pdf", "/items/03/#m03-1", 1),  # a file name as pasted
    ("登爱卫〔2025〕2号", "/items/03/#m03-1", 1),  # a 文号 printed only inside that PDF (the 总结 is 3号)
])
def test_queries_find_the_expected_page(page, demo_server, query, expected, within):  # noqa: F811
    results = _results(page, demo_server, query)
    paths = [path.rstrip("/") + "/" if "#" not in path else path for path, _ in results]
    assert expected in paths[:within], f"“{query}”的前 {within} 个结果里没有 {expected}：{results[:5]}"


@pytest.mark.browser
@pytest.mark.xfail(strict=True, reason=(
    "已知问题：浏览器（Chromium 的 ICU）把“督导”切成“督”“导”两个字，Pagefind 的扩展版在建索引时把它当作一个词，"
    "查询要求两个单字都在，第 3 项和三份《督导检查和考核通报》都找不到（“考核通报”能找到）"))
def test_material_title_with_a_word_the_browser_cuts_apart(page, demo_server):  # noqa: F811
    results = _results(page, demo_server, "督导检查和考核通报")
    paths = [path for path, _ in results]
    assert "/items/03/#m03-5" in paths[:3] or "/items/03/" in paths[:3]


@pytest.mark.browser
def test_red_flag_opens_the_material_of_the_notices(page, demo_server):  # noqa: F811
    _results(page, demo_server, "流动红旗")
    sections = page.eval_on_selector_all(
        ".md-search-result__item:first-child > a",
        "els => els.map(e => [new URL(e.href).pathname + new URL(e.href).hash, e.querySelector('h1, h2').textContent])")
    assert sections[:2] == [["/items/03/", "第 3 项 年度计划与卫生创建"], ["/items/03/#m03-5", "03.5 督导检查和考核通报"]]


def test_pdf_phrase_is_only_in_the_pdf(demo_site):
    site, _ = demo_site
    pages = "".join(p.read_text(encoding="utf-8") for p in site.glob("items/*/index.html"))
    assert "登爱卫〔2025〕2号" not in pages  # so the query above is found through the PDF's text layer


def test_index_is_chunked_and_offline(demo_site):
    site, stats = demo_site
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    assert stats.pages >= 45 + 7  # every item and category page at least
    assert stats.file_records > 0
    header = (site / "index.html").read_text(encoding="utf-8")
    assert "hb-search.js" in header and "search_index.json" not in header
    assert not (site / "search" / "search_index.json").exists()  # Material's lunr index is gone


# --------------------------------------------------------------------------- no browser


def test_pdf_text_is_cached_by_hash(tmp_path, monkeypatch):
    from handbook.outputs import search_text

    calls = []
    monkeypatch.setattr(search_text, "extract_text", lambda path: calls.append(path) or "卫生城市复审")
    cache = search_text.PdfTextCache(tmp_path)
    assert cache.text_of(tmp_path / "a.pdf", "ab" * 32) == "卫生城市复审"
    cache.save()
    again = search_text.PdfTextCache(tmp_path)
    assert again.text_of(tmp_path / "renamed.pdf", "ab" * 32) == "卫生城市复审"  # same bytes, another name
    assert calls == [tmp_path / "a.pdf"]
    assert (again.read, again.cached) == (0, 1)


def test_pdf_text_joins_chinese_and_is_bounded(tmp_path):
    from handbook.outputs.search_text import extract_text

    assert extract_text(tmp_path / "missing.pdf") == ""  # never raises
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    assert extract_text(tmp_path / "broken.pdf") == ""


def test_file_record_escapes_and_restricted_files_are_not_indexed(tmp_path):
    from handbook.model import EvidenceFile, Sidecar
    from handbook.outputs import search

    def evidence(name: str, restricted: bool = False) -> EvidenceFile:
        return EvidenceFile(path=f"03/03.1-年度工作计划/{name}", size=1, mtime_ns=1, sha256="cd" * 32,
                            filetype="pdf", item=3, material="03.1", years=(2025,), unit="市爱卫办",
                            unit_raw="市爱卫办", title=name[:-4], sidecar=Sidecar(restricted=restricted))

    class Standard:
        items = {}

        def material(self, material_id):
            return None

    hostile = evidence("<img src=x onerror=alert(1)>.pdf")
    document = search.file_document(hostile, Standard(), "<b>text</b>")
    assert "<img" not in document and "&lt;img src=x" in document and "&lt;b&gt;" in document
    assert search.file_url(hostile) == "/items/03/#m03-1"
    # Pagefind keeps one record per URL: each file's record has its own (the query names the file).
    other = evidence("2026-市爱卫办-计划.pdf")
    assert search.record_url(hostile).startswith("/items/03/?f=") and search.record_url(hostile).endswith("#m03-1")
    assert search.record_url(hostile) != search.record_url(other)

    class Archive:
        files = [evidence("2025-市爱卫办-花名册.pdf", restricted=True)]
        evidence_root = tmp_path

        class project:
            standard = Standard()

    class NoText:
        def text_of(self, path, sha256):
            raise AssertionError("a restricted file's text is never read")

    assert list(search.file_documents(Archive(), NoText())) == []


def test_page_weights_and_restricted_titles():
    from handbook.outputs.search import indexed_page

    html = ('<html><body><nav>导航</nav><article class="md-content__inner md-typeset"><h1 id="t">市城管局'
            '<a class="headerlink" href="#t">¶</a></h1><p><a href="../../items/14/">第 14 项</a></p>'
            '<p><span class="hb-badge hb-lock">不公开</span> 花名册</p>'
            '<h2 id="x" data-search-exclude>已收集文件</h2><table><tr><td>计划.pdf</td></tr></table>'
            '<h2 id="y">还缺的材料</h2></article></body></html>')
    document = indexed_page(html, "units", "单位")
    assert '<h1 id="t" data-pagefind-weight="10">市城管局</h1>' in document
    assert 'data-pagefind-weight="0.3"' in document and "导航" not in document and "¶" not in document
    assert "花名册" not in document and "计划.pdf" not in document and "还缺的材料" in document
    assert 'data-pagefind-meta="kind:单位"' in document and "data-pagefind-body" in document


def test_serve_builds_the_index_and_reuses_it_while_nothing_changed(tmp_path):
    """``mkdocs serve`` empties its site folder on every rebuild: the search box still finds things, and an
    unchanged rebuild links the kept index back instead of running Pagefind again."""
    import json

    from mkdocs.commands.build import build

    from test_site_build import FIXTURE

    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    config = site_config(tmp_path)
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = plugin_of(config)
    try:
        reused = []
        for _ in range(2):
            build(config, serve_url="http://127.0.0.1:8000/")
            entry = json.loads((tmp_path / "site" / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
            assert entry["languages"]["zh"]["page_count"] > 45
            reused.append(plugin.build.counts["search_reused"])
        assert reused == [0, 1]
    finally:
        config.plugins.on_shutdown()
