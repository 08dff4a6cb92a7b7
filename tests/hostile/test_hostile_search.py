"""A search index bounded whatever is committed (issue 17, weak spot: 100,000 bad files or a 200,000-row table
made a 101 MB Pagefind index). The /problems/ page is not indexed at all; file records are capped per page
they open, good files first, and what is left out is counted and said."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_site_render import _file, make_archive

from handbook.model import Diagnostic, Level, Problem, Where
from handbook.outputs import search

FOLDER = "03/03.1-年度工作计划"


def misfiled(n: int):
    """A readable PDF whose folder names no item: its record opens /problems/."""
    name = f"杂项/2024-某局{n}-材料{n:05d}.pdf"
    return _file(name, unit=None, unit_raw=f"某局{n}",
                 problems=[Problem(code="unknown-folder", message=f"{name}：文件夹不对应任何条目", fix="移到条目文件夹")])


def in_item_three(n: int, *, bad: bool):
    name = f"{FOLDER}/2024-市卫健委-{'错' if bad else '好'}{n:05d}.pdf"
    problems = [Problem(code="unknown-unit", message=f"{name}：单位不对", fix="改为 市卫健委")] if bad else []
    return _file(name, unit="市卫健委", item=3, material="03.1", problems=problems)


def flooded_archive(misfiled_files: int = 3000, bad_in_item: int = 1300, good_in_item: int = 200):
    archive = make_archive()
    archive.files += [misfiled(n) for n in range(misfiled_files)]
    archive.files += [in_item_three(n, bad=True) for n in range(bad_in_item)]
    archive.files += [in_item_three(n, bad=False) for n in range(good_in_item)]
    archive.indicator_problems = [Diagnostic(Level.ERROR, Where("evidence/indicators/values.csv", n), "指标编号为空",
                                             "填写指标编号", "bad-row") for n in range(2, 20_002)]
    return archive


def test_records_are_capped_per_page_good_files_first():
    archive = flooded_archive()
    chosen, left_out = search.indexed_files(archive)
    # Item 3 holds the hand-built archive's 2024 plan and its hostile bad name too: 1,502 published files.
    assert left_out == {"/problems/": 2800, "/items/03/": 502}
    item_three = [f for f in chosen if f.item == 3]
    assert len(item_three) == 1000
    assert sum(1 for f in item_three if not f.problems) == 201  # every good file is in, before any bad one
    assert sum(1 for f in chosen if f.item is None and f.path.startswith("杂项/")) == 200


def test_a_huge_sidecar_value_makes_a_small_record():
    from handbook.model import Sidecar

    file = _file(f"{FOLDER}/2024-市卫健委-计划.pdf", unit="市卫健委", item=3, material="03.1",
                 sidecar=Sidecar(doc_number="号" * 100_000, issuer="<b>" * 10_000))

    class Standard:
        items: dict = {}

        def material(self, material_id):
            return None

    document = search.file_document(file, Standard(), "文" * 50_000)
    assert len(document) < 4000  # 300 characters a value, the text layer 2,000
    assert "号" * 300 in document and "号" * 301 not in document and "文" * 2001 not in document


def test_the_index_of_a_flooded_archive_is_bounded_and_says_what_it_left_out(tmp_path, caplog):
    site = tmp_path / "site"
    (site / "problems").mkdir(parents=True)
    # The /problems/ page of such an archive (capped, but still big) is never indexed.
    (site / "problems" / "index.html").write_text(
        '<html><body><article class="md-content__inner">' + "<p>某局 错名</p>" * 20_000 + "</article></body></html>",
        encoding="utf-8")
    started = time.perf_counter()
    with caplog.at_level(logging.INFO, logger="handbook.outputs.search"):
        stats = search.build_search_index(site, flooded_archive(), cache_dir=None)
    assert time.perf_counter() - started < 30
    assert (stats.pages, stats.file_records) == (0, 1202)  # 1,000 of item 3, 200 misfiled, items 1 and 45
    assert stats.as_dict()["search_records_left_out"] == 3302
    assert stats.index_bytes < 1_100_000, stats.index_bytes  # 0.95 MB; uncapped: 4,504 records, 1.8 MB
    assert "站内搜索：/problems/ 的文件太多，另有 2800 个文件未编入搜索索引（页面和问题文件清单中仍全部列出）" in caplog.text
    assert "站内搜索：/items/03/ 的文件太多，另有 502 个文件未编入搜索索引（页面和问题文件清单中仍全部列出）" in caplog.text
