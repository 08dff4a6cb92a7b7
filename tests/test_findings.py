"""The findings table (问题台账): reading, row messages, derived states with their boundaries, roll-ups, template."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from handbook.judge import findings as judge
from handbook.load.project import load_project
from handbook.model import Finding, FindingState
from handbook.scan.findings_table import read_findings

ROOT = Path(__file__).resolve().parent.parent
HEADER = "编号,日期,来源,检查组,地点,坐标,条目,问题描述,整改前照片,属地单位,行业单位,整改期限,整改日期,整改后照片,销号人/确认人,不公开"


@pytest.fixture(scope="module")
def project():
    return load_project(ROOT, today=dt.date(2026, 11, 23))


def write_table(root: Path, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    folder = root / "evidence" / "findings"
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    path = folder / "findings.csv"
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding))
    return root / "evidence"


def read(project, root: Path, lines: list[str], encoding: str = "utf-8-sig"):
    evidence = write_table(root, lines, encoding)
    return read_findings(evidence, project.plan, project.standard.items)


GOOD = "DF-1,2026-10-12,暗访,暗访组,嵩阳街道 书院河路,,10,路面破损,,嵩阳街道,市城管局,2026-10-19,,,,"


def test_good_row_reads_every_field(project, tmp_path):
    (found, problems) = read(project, tmp_path, [GOOD])
    assert problems == []
    f = found[0]
    assert (f.id, f.found, f.source, f.group, f.place, f.item) == ("DF-1", dt.date(2026, 10, 12), "暗访", "暗访组", "嵩阳街道 书院河路", 10)
    assert (f.area_unit, f.field_unit, f.deadline, f.fixed, f.flagged) == ("嵩阳街道", "市城管局", dt.date(2026, 10, 19), None, False)


def test_gbk_csv_and_chinese_dates(project, tmp_path):
    line = "DF-2,2026年10月12日,督查,督查组,少林农贸市场,,16,活禽未隔离,,少林街道,,2026/10/27,2026.10.20,,王磊,"
    (found, problems) = read(project, tmp_path, [line], encoding="gbk")
    assert problems == []
    assert (found[0].found, found[0].deadline, found[0].fixed) == (dt.date(2026, 10, 12), dt.date(2026, 10, 27), dt.date(2026, 10, 20))
    # No 行业单位 typed: the item's first lead that is not a 街道 (item 16 is in category 3: 市城管局 leads it).
    assert (found[0].field_unit, found[0].field_unit_given) == ("市城管局", False)


@pytest.mark.parametrize("line, code, words", [
    ("DF-3,2026-10-12,暗仿,暗访组,某地,,10,问题,,嵩阳街道,,2026-10-19,,,,", "bad-source", "改为“暗访”"),
    ("DF-3,2026-10-12,暗访,暗访组,某地,,99,问题,,嵩阳街道,,2026-10-19,,,,", "bad-item", "1–45"),
    ("DF-3,2026-13-12,暗访,暗访组,某地,,10,问题,,嵩阳街道,,2026-10-19,,,,", "bad-date", "2026-10-12"),
    ("DF-3,2026-10-12,暗访,暗访组,某地,,10,问题,,嵩阳街到,,2026-10-19,,,,", "unknown-unit", "嵩阳街道"),
    ("DF-3,2026-10-12,暗访,暗访组,某地,,10,问题,,嵩阳街道,,2026-10-01,,,,", "deadline-before-found", "核对"),
    (",2026-10-12,暗访,暗访组,某地,,10,问题,,嵩阳街道,,2026-10-19,,,,", "missing-id", "唯一编号"),
])
def test_bad_row_is_reported_with_file_row_and_fix_and_still_kept(project, tmp_path, line, code, words):
    found, problems = read(project, tmp_path, [GOOD, line])
    assert len(found) == 2  # nothing dropped
    assert found[1].flagged and not found[0].flagged
    [problem] = problems
    assert (str(problem.where), problem.code) == ("evidence/findings/findings.csv:3", code)
    assert words in problem.fix or words in problem.problem


def test_duplicate_id_keeps_both_rows(project, tmp_path):
    found, problems = read(project, tmp_path, [GOOD, GOOD])
    assert [f.id for f in found] == ["DF-1", "DF-1（第3行）"]
    assert [p.code for p in problems] == ["duplicate-id"]
    assert "第 2 行" in problems[0].problem


def test_missing_photo_is_warned_with_the_nearest_name(project, tmp_path):
    evidence = write_table(tmp_path, [GOOD.replace(",,嵩阳街道,市城管局", ",DF-1-前.jpg,嵩阳街道,市城管局")])
    (evidence / "findings" / "photos" / "DF-1-整改前.jpg").write_bytes(b"x")
    found, problems = read_findings(evidence, project.plan, project.standard.items)
    assert found[0].photos_before == ()
    assert [p.code for p in problems] == ["missing-photo"]
    assert "DF-1-整改前.jpg" in problems[0].fix


def test_missing_column_names_the_header_row(project, tmp_path):
    folder = tmp_path / "evidence" / "findings"
    folder.mkdir(parents=True)
    (folder / "findings.csv").write_text("编号,日期\nA,2026-01-01\n", encoding="utf-8")
    found, problems = read_findings(tmp_path / "evidence", project.plan, project.standard.items)
    assert found == []
    assert str(problems[0].where) == "evidence/findings/findings.csv:1"
    assert "来源" in problems[0].problem and "template --findings" in problems[0].fix


def test_too_large_table_is_not_read(project, tmp_path, monkeypatch):
    from handbook.scan import findings_table

    monkeypatch.setattr(findings_table, "MAX_BYTES", 100)
    found, problems = read(project, tmp_path, [GOOD, GOOD.replace("DF-1", "DF-9")])
    assert found == [] and problems[0].code == "table-too-large"


# --------------------------------------------------------------------------- derived states, boundaries


def finding(fid: str, found: dt.date, *, place: str = "书院河路", item: int = 10, deadline: dt.date | None = None,
            fixed: dt.date | None = None, confirmer: str = "") -> Finding:
    return Finding(id=fid, found=found, source="暗访", group="", place=place, item=item, problem="", area_unit="嵩阳街道",
                   field_unit="市城管局", deadline=deadline, fixed=fixed, confirmer=confirmer)


D = dt.date


@pytest.mark.parametrize("today, state, overdue", [
    (D(2026, 10, 19), FindingState.OPEN, False),  # the deadline day itself: not yet late
    (D(2026, 10, 20), FindingState.OVERDUE, True),  # the day after
])
def test_overdue_boundary(today, state, overdue):
    [f] = judge.judge_findings([finding("A", D(2026, 10, 12), deadline=D(2026, 10, 19))], today, 90)
    assert (f.state, f.overdue) == (state, overdue)


def test_fixed_and_confirmed_states():
    fixed = finding("A", D(2026, 10, 1), deadline=D(2026, 10, 8), fixed=D(2026, 10, 9))
    closed = finding("B", D(2026, 10, 1), deadline=D(2026, 10, 8), fixed=D(2026, 10, 8), confirmer="王磊")
    judge.judge_findings([fixed, closed], D(2026, 11, 23), 90)
    assert (fixed.state, fixed.on_time, fixed.overdue) == (FindingState.FIXED, False, False)
    assert (closed.state, closed.on_time) == (FindingState.CLOSED, True)


@pytest.mark.parametrize("gap, rebound", [(0, True), (90, True), (91, False)])
def test_rebound_boundary_exactly_n_days(gap, rebound):
    closed = finding("A", D(2026, 6, 1), deadline=D(2026, 6, 8), fixed=D(2026, 6, 5), confirmer="王磊")
    again = finding("B", D(2026, 6, 5) + dt.timedelta(days=gap), deadline=D(2026, 12, 31))
    judge.judge_findings([closed, again], D(2026, 11, 23), 90)
    assert again.state is (FindingState.REBOUND if rebound else FindingState.OPEN)
    assert again.rebound_of == ("A" if rebound else "")
    assert closed.state is FindingState.CLOSED


def test_rebound_needs_same_place_and_item_and_a_closure():
    closed = finding("A", D(2026, 6, 1), fixed=D(2026, 6, 5), confirmer="王磊")
    elsewhere = finding("B", D(2026, 6, 10), place="太室路")
    other_item = finding("C", D(2026, 6, 10), item=13)
    spaced = finding("D", D(2026, 6, 10), place="书院河路 ")  # the same place written with a trailing space
    open_one = finding("E", D(2026, 7, 1), place="太室路")  # B was never closed: no rebound of B
    judge.judge_findings([closed, elsewhere, other_item, spaced, open_one], D(2026, 6, 20), 90)
    assert [f.state for f in (elsewhere, other_item, spaced, open_one)] == [
        FindingState.OPEN, FindingState.OPEN, FindingState.REBOUND, FindingState.OPEN]


def test_rebound_past_deadline_stays_overdue_for_the_escalation():
    closed = finding("A", D(2026, 6, 1), fixed=D(2026, 6, 5), confirmer="王磊")
    again = finding("B", D(2026, 7, 1), deadline=D(2026, 7, 8))
    judge.judge_findings([closed, again], D(2026, 7, 9), 90)
    assert (again.state, again.overdue) == (FindingState.REBOUND, True)


def test_roll_ups_count_both_units_and_on_time_share():
    rows = [
        finding("A", D(2026, 9, 1), deadline=D(2026, 9, 8), fixed=D(2026, 9, 7), confirmer="王磊"),
        finding("B", D(2026, 9, 2), deadline=D(2026, 9, 9), fixed=D(2026, 9, 12), confirmer="王磊", place="太室路"),
        finding("C", D(2026, 10, 2), deadline=D(2026, 10, 9), place="崇高路"),
    ]
    judge.judge_findings(rows, D(2026, 10, 20), 90)
    units = judge.by_unit(rows)
    assert units["嵩阳街道"].total == 3 and units["市城管局"].total == 3
    assert (units["嵩阳街道"].closed_on_time, units["嵩阳街道"].closed_late, units["嵩阳街道"].overdue) == (1, 1, 1)
    assert units["嵩阳街道"].on_time_percent == 33.3
    assert {k: t.total for k, t in judge.by_month(rows).items()} == {"2026-09": 2, "2026-10": 1}
    assert judge.by_source(rows)["暗访"].open == 1
    assert [f.id for f in judge.sort_for_list(rows)] == ["C", "A", "B"]  # open first, then by deadline


# --------------------------------------------------------------------------- template


def test_template_round_trips(project, tmp_path):
    out = tmp_path / "evidence" / "findings" / "findings.xlsx"
    subprocess.run([sys.executable, "-m", "handbook", "--root", str(ROOT), "template", "--findings", "--out", str(out)],
                   check=True, capture_output=True, env={"PYTHONPATH": str(ROOT / "hooks"), "PATH": "/usr/bin:/bin"})
    found, problems = read_findings(tmp_path / "evidence", project.plan, project.standard.items)
    assert (found, problems) == ([], [])  # blank: no finding, no complaint (the 填写说明 sheet is not read)
    book = load_workbook(out)
    sheet = book["问题台账"]
    assert [c.value for c in sheet[1]] == HEADER.split(",")
    sheet.append(["DF-7", dt.datetime(2026, 10, 12), "模拟检查", "专家组", "中岳大街", "", 15, "公厕无洗手液", "",
                  "中岳街道", "市城管局", dt.datetime(2026, 10, 27), dt.datetime(2026, 10, 20), "", "李静", ""])
    book.save(out)
    found, problems = read_findings(tmp_path / "evidence", project.plan, project.standard.items)
    assert problems == []
    f = found[0]
    assert (f.id, f.found, f.source, f.item, f.area_unit, f.deadline, f.fixed, f.confirmer) == (
        "DF-7", D(2026, 10, 12), "模拟检查", 15, "中岳街道", D(2026, 10, 27), D(2026, 10, 20), "李静")
    assert str(f.where) == f"{'evidence/findings/findings.xlsx'}:2"


def test_shipped_demo_shows_every_state():
    from handbook.pipeline import build_archive

    archive = build_archive(ROOT, today=D(2026, 11, 23), git=False)
    states = {f.state for f in archive.findings}
    assert states == set(FindingState)
    assert archive.finding_problems == []
    assert len(archive.findings) == 64
    assert {f.area_unit for f in archive.findings} == {"嵩阳街道", "少林街道", "中岳街道", "卢店街道"}
