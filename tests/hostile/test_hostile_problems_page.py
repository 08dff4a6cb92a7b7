"""A /problems/ page that cannot grow without bound (issue 17, weak spot: a 200k-row CSV made a 50 MB page),
and the full 问题清单 it points to: every problem, text never a formula, written atomically."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the hand-built archive of the render goldens
from test_site_render import _file, make_archive

from handbook.model import Level, Problem, Where
from handbook.problems import error
from handbook.outputs.problem_list import write_problem_list
from handbook.render import render_site
from handbook.render.problems import PROBLEM_LIST_URI, select_files

FOLDER = "03/03.1-年度工作计划"


def bad(n: int, unit: str | None, raw: str = "") -> object:
    name = f"{FOLDER}/2024-{raw or unit}-错名{n:05d}.pdf"
    return _file(name, unit=unit, unit_raw=raw or unit or "", item=3, material="03.1",
                 problems=[Problem(code="unknown-unit", message="单位不在 units.yml 中", fix="改为 市卫健委", place=Where(name))])


def crowded_archive():
    """20,000 files of units nobody knows (each a different made-up unit), 120 of 市卫健委, 3 of 市城管局."""
    archive = make_archive()
    archive.files += [bad(n, None, raw=f"某局{n}") for n in range(20_000)]
    archive.files += [bad(n, "市卫健委") for n in range(120)]
    archive.files += [bad(n, "市城管局") for n in range(3)]
    archive.indicator_problems = [error(Where("evidence/indicators/values.csv", n), "指标编号为空",
                                             "填写指标编号", "bad-row") for n in range(2, 200_002)]
    return archive


def test_twenty_thousand_bad_files_make_a_page_of_a_few_hundred_kilobytes():
    archive = crowded_archive()
    started = time.perf_counter()
    page = render_site(archive, problem_list_uri=PROBLEM_LIST_URI)["problems.md"]
    assert time.perf_counter() - started < 20
    assert len(page.encode("utf-8")) < 400_000  # the uncapped page was 20,124 files and 200,000 rows: ~60 MB
    assert "共 20124 个文件有问题。" in page
    # 50 of 市卫健委, 市城管局's 3, and 50 of the unrecognised group (the hand-built archive's own bad file,
    # "<img…", sorts after "2024-…" and is among the 19,951 left off).
    assert "共 20124 个文件、20124 个问题；本页列出 103 个文件（每个单位最多 50 个，全页最多 500 个）" in page
    assert "[下载问题文件清单（XLSX）](problems/%E9%97%AE%E9%A2%98%E6%96%87%E4%BB%B6%E6%B8%85%E5%8D%95.xlsx)" in page and "`python -m handbook check --evidence`" in page
    assert "| [市卫健委](units/wjw.md) | 70 | 70 |" in page
    assert "| （单位无法识别） | 19951 | 19951 |" in page
    assert sum(1 for line in page.splitlines() if "错名" in line) == 103
    assert page.count("| <code>evidence/indicators/values\\.csv:") == 200
    assert "还有 199800 条未列出" in page


def test_without_a_published_list_the_page_points_to_the_check_command_only():
    page = render_site(crowded_archive())["problems.md"]
    assert "问题文件清单.xlsx" not in page and "在仓库中运行 `python -m handbook check --evidence`" in page


def test_a_small_archive_is_listed_whole_with_no_note():
    page = render_site(make_archive(), problem_list_uri=PROBLEM_LIST_URI)["problems.md"]
    assert "本页只列出一部分" not in page and "问题文件清单.xlsx" not in page


def test_the_page_wide_cap_takes_units_in_units_yml_order():
    archive = make_archive()
    files = [bad(n, "市卫健委") for n in range(4)] + [bad(n, "市城管局") for n in range(4)] + [bad(0, None, "某局")]
    chosen = select_files(archive, files, per_unit=3, total=5)
    assert [f.unit for f in chosen.shown] == ["市卫健委"] * 3 + ["市城管局"] * 2  # by path
    assert [(o.unit, o.files) for o in chosen.omitted] == [("市卫健委", 1), ("市城管局", 2), ("（单位无法识别）", 1)]


def test_the_full_list_holds_every_problem_as_text_never_a_formula(tmp_path):
    archive = make_archive()
    archive.files.append(_file(f"{FOLDER}/=HYPERLINK(\"http://x\",\"点我\").pdf", unit=None, unit_raw="=1+1",
                               problems=[Problem(code="bad-name", message="=cmd|' /C calc'!A0", fix="@SUM(1)")]))
    archive.files += [bad(n, "市卫健委") for n in range(3000)]
    path = write_problem_list(archive, tmp_path / "out")
    assert path == tmp_path / "out" / "问题文件清单.xlsx" and oct(path.stat().st_mode & 0o777) == "0o644"
    # No temporary file left; the stamp says what the list was made from (handbook.outputs.reuse).
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".problem-list-result.pickle", ".problem-list-stamp.json", "问题文件清单.xlsx"]
    book = load_workbook(path)
    assert book.sheetnames == ["问题文件", "标准与方案", "指标数值表", "问题台账"]
    sheet = book["问题文件"]
    assert [c.value for c in sheet[1]] == ["序号", "单位", "文件", "级别", "问题", "改法", "问题代码"]
    assert sheet.max_row == 1 + 3002  # the render archive's own bad file, the hostile one and 3,000
    hostile = next(row for row in sheet.iter_rows(min_row=2) if row[2].value.startswith("evidence/03/03.1-年度工作计划/=HY"))
    assert [(c.value, c.data_type) for c in hostile[1:]] == [
        ("=1+1", "s"), ('evidence/03/03.1-年度工作计划/=HYPERLINK("http://x","点我").pdf', "s"), ("错误", "s"),
        ("=cmd|' /C calc'!A0", "s"), ("@SUM(1)", "s"), ("bad-name", "s")]


def test_the_findings_tables_problems_have_their_own_sheet_at_file_and_row(tmp_path):
    archive = make_archive()
    archive.finding_problems = [
        Problem("finding-bad-date", "整改期限“2026-13-01”不是日期", "写成 2026-12-01 这样的日期", Level.WARNING,
                Where("evidence/findings/2026-督查问题台账.csv", 7)),
        Problem("finding-no-unit", "=责任单位为空", "填写责任单位", Level.ERROR,
                Where("evidence/findings/2026-督查问题台账.csv", 3)),
    ]
    sheet = load_workbook(write_problem_list(archive, tmp_path))["问题台账"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["序号", "位置", "级别", "问题", "改法", "问题代码"],
        [1, "evidence/findings/2026-督查问题台账.csv:3", "错误", "=责任单位为空", "填写责任单位", "finding-no-unit"],
        [2, "evidence/findings/2026-督查问题台账.csv:7", "警告", "整改期限“2026-13-01”不是日期", "写成 2026-12-01 这样的日期",
         "finding-bad-date"],
    ]
    assert sheet["D2"].data_type == "s"  # text, never a formula


def test_more_findings_problems_than_the_page_shows_point_to_their_sheet():
    archive = make_archive()
    archive.finding_problems = [Problem("finding-no-unit", "责任单位为空", "填写责任单位", Level.ERROR,
                                        Where("evidence/findings/台账.csv", n)) for n in range(2, 402)]
    page = render_site(archive, problem_list_uri=PROBLEM_LIST_URI)["problems.md"]
    assert page.count("| <code>evidence/findings/台账\\.csv:") == 200
    assert ("还有 200 条未列出，见[问题文件清单（XLSX）](problems/%E9%97%AE%E9%A2%98%E6%96%87%E4%BB%B6%E6%B8%85%E5%8D%95.xlsx)"
            "的“问题台账”表，或运行 `python -m handbook check --evidence` 可看到全部。") in page
