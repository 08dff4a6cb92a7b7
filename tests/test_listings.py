"""Long file lists as bounded pages, written as raw HTML (render/listings.py, templates/site/_html.md.j2)."""

from __future__ import annotations

import re

import markdown

from handbook.render import listings, render_site
from test_site_render import _file, make_archive


def test_links_in_raw_html_point_where_mkdocs_serves_the_page():
    hlink = listings.html_linker("items/03.md")
    assert hlink("evidence/03/a b.pdf") == "../../evidence/03/a%20b.pdf"
    assert hlink("units/aiwei.md") == "../../units/aiwei/"
    assert hlink("items/03.md#m03-1") == "./#m03-1"
    assert hlink("items/03/03.1-2.md") == "03.1-2/"
    assert listings.html_linker("index.md")("units/index.md") == "units/"
    assert listings.html_linker("units/index.md")("index.md") == "../"
    flat = listings.html_linker("items/03.md", directory_urls=False)
    assert flat("units/aiwei.md") == "../units/aiwei.html" and flat("index.md") == "../index.html"


def test_raw_html_links_keep_chinese_but_encode_what_could_break_out():
    assert listings.iri_path("03/03.1-年度 计划/a<\"&>.pdf") == "03/03.1-年度%20计划/a%3C%22%26%3E.pdf"
    assert listings.iri_path("x\u202ey\u3000z.pdf") == "x%E2%80%AEy%E3%80%80z.pdf"  # bidi override, ideographic space


def test_pages_of_a_long_list():
    assert listings.chunks(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
    assert listings.chunks([], 2) == [[]]
    assert listings.unit_file_uris("units/aiwei.md", 250) == ["units/aiwei.md", "units/aiwei/files-2.md",
                                                               "units/aiwei/files-3.md"]
    assert listings.material_file_uris(3, "03.1", 100) == ["items/03/03.1.md"]
    assert listings.pager(["a.md", "b.md"], 1) == [{"number": 1, "uri": "a.md", "current": False},
                                                   {"number": 2, "uri": "b.md", "current": True}]


def _crowded(n_files: int):
    archive = make_archive()
    folder = "03/03.1-年度工作计划"
    archive.files.extend(
        _file(f"{folder}/2024-市爱卫办-计划*第{n}份*.pdf", unit="市爱卫办", years=(2024,), title=f"计划*第{n}份*",
              material="03.1", item=3) for n in range(n_files))
    return archive


def test_a_unit_with_many_files_gets_bounded_pages_newest_first_and_every_file_listed():
    pages = render_site(_crowded(230))  # 231 files of 市爱卫办: 100 + 100 + 31
    unit_pages = ["units/aiwei.md", "units/aiwei/files-2.md", "units/aiwei/files-3.md"]
    assert [uri for uri in pages if uri.startswith("units/aiwei")] == unit_pages
    first = pages["units/aiwei.md"].split('<h2 id="已提交文件">')[1]
    rows = [page.count("<tr><td>") for page in (first, pages[unit_pages[1]], pages[unit_pages[2]])]
    assert rows == [100, 100, 31]
    assert "共 231 个文件" in pages["units/aiwei.md"]
    # The pager is HTML: its links are the URLs the pages are served at (units/aiwei/ → units/aiwei/files-2/).
    assert '<a href="files-2/">2</a>' in pages["units/aiwei.md"]
    assert '<a href="../">1</a> · <a href="../files-2/">2</a>' in pages["units/aiwei/files-3.md"]
    assert "<h1>市爱卫办：已提交文件（第 3 / 3 页）</h1>" in pages["units/aiwei/files-3.md"]
    listed = "".join(pages[uri] for uri in unit_pages)
    assert all(f"计划*第{n}份*</a>" in listed for n in range(230))  # raw HTML: the asterisks are literal


def test_an_item_shows_a_bounded_number_per_material_and_links_its_listing():
    pages = render_site(_crowded(150))  # 03.1: 152 files
    item = pages["items/03.md"]
    section = item.split('<h2 id="已收集文件"')[1].split('<h2 id="缺失材料"')[0]
    assert section.count("<tr><td>") == 3 + 1  # 03.1's first three, 03.2's only one
    assert '<a href="03.1/">全部 152 个文件</a>' in section  # items/03/ → items/03/03.1/
    assert [uri for uri in pages if uri.startswith("items/03/")] == ["items/03/03.1.md", "items/03/03.1-2.md"]
    assert pages["items/03/03.1.md"].count("<tr><td>") == 100
    assert pages["items/03/03.1-2.md"].count("<tr><td>") == 52
    assert "（第 2 / 2 页）" in pages["items/03/03.1-2.md"]
    assert '<h2 id="文件" data-search-exclude>文件</h2>' in pages["items/03/03.1.md"]


def test_html_tables_are_escaped_for_html_without_markdown_backslashes():
    pages = render_site(make_archive())
    section = pages["items/03.md"].split('<h2 id="已收集文件"')[1].split('<h2 id="缺失材料"')[0]
    tables = re.findall(r"<table>.*?</table>", section, re.S)
    assert tables and not any("\\" in t for t in tables)
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf</a>" in section and "<img" not in section
    # Python-Markdown passes the block through as it is (no inline processing, nothing added or lost).
    html = markdown.markdown(section, extensions=["tables", "attr_list", "md_in_html"])
    assert all(t in html for t in tables)


def test_render_output_builds_with_a_plain_mkdocs_and_its_table_links_resolve(tmp_path):
    """``python -m handbook render`` pages, built by MkDocs with no hook and the default theme."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    from urllib.parse import unquote, urljoin

    root = Path(__file__).resolve().parent.parent
    docs = tmp_path / "docs"
    env = {**os.environ, "PYTHONPATH": str(root / "hooks"), "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "handbook", "--root", str(root), "render", "--out", str(docs)],
                   check=True, capture_output=True, env=env)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: plain\nmarkdown_extensions: [tables, attr_list, md_in_html]\n", encoding="utf-8")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, capture_output=True,
                           text=True, env=env)
    assert build.returncode == 0, build.stderr
    site = tmp_path / "site"
    checked = 0
    for page in [site / "items/03/index.html", site / "units/aiweiban/index.html", site / "units/wjw/index.html"]:
        html = page.read_text(encoding="utf-8")
        url = "http://x/" + page.relative_to(site).parent.as_posix() + "/"
        for table in re.findall(r"<table>\s*<thead><tr><th>文件</th>.*?</table>", html, re.S):
            for href in re.findall(r'href="([^"#]+)', table):
                target = unquote(urljoin(url, href)).removeprefix("http://x/")
                if target.startswith("evidence/"):  # not published by this plain build: the source exists
                    assert (root / target).is_file(), target
                else:
                    assert (site / target / "index.html").is_file(), target
                checked += 1
    assert checked > 10
