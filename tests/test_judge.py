"""Judge: statuses of required cells from per-year/per-unit flags, window, deadlines and waivers."""

import datetime as dt

import pytest

from handbook.judge.cells import judge_cells, summarize
from handbook.model import (
    Archive,
    Assignment,
    Category,
    EvidenceFile,
    Item,
    Kind,
    Level,
    Material,
    Plan,
    Problem,
    Project,
    Sidecar,
    Standard,
    Status,
    Unit,
    Waiver,
    Where,
)


def material(mid, *, per_year=False, per_unit=False):
    return Material(
        id=mid, item=int(mid.split(".")[0]), title=f"资料{mid}", complete_when="", per_year=per_year,
        per_unit=per_unit, formats=("pdf",), seal=False, slot=None,
    )


def make_project(*, today="2026-11-23", waivers=()):
    items = {
        1: Item(1, "一", "文本一", 1, materials=[material("01.1"), material("01.2", per_year=True)]),
        2: Item(2, "二", "文本二", 1, materials=[material("02.1", per_unit=True)]),
    }
    standard = Standard(categories=[Category(1, "一", "组织管理", (1, 2))], items=items, indicators={}, slots={})
    units = {n: Unit(name=n, slug=s) for n, s in [("市爱卫办", "awb"), ("市城管局", "cgj"), ("嵩阳街道", "syjd")]}
    plan = Plan(
        city="测试市", kind=Kind.CITY, review_year=2026, window=(2024, 2025, 2026),
        today=dt.date.fromisoformat(today), units=units, groups={},
        assignments={
            1: Assignment(1, lead=("市爱卫办",), responsible=("市爱卫办", "市城管局")),
            2: Assignment(2, lead=("市城管局",), responsible=("市城管局", "嵩阳街道", "其它单位")),
        },
        stages=[], deadline_completed_years=dt.date(2026, 6, 30), deadline_current_year=dt.date(2026, 12, 31),
        material_deadlines={"01.1": dt.date(2027, 1, 31)}, waivers=list(waivers),
    )
    return Project(root=None, standard=standard, plan=plan)


def efile(path, material_id, years, unit, *, problems=(), also_for=()):
    return EvidenceFile(
        path=path, size=10, mtime_ns=0, sha256="0" * 64, filetype="pdf", item=int(material_id[:2]),
        material=material_id, years=tuple(years), unit=unit, unit_raw=unit or "", title="t",
        sidecar=Sidecar(also_for=tuple(also_for)) if also_for else None, problems=list(problems),
    )


def by_key(cells):
    return {(c.material, c.year, c.unit): c for c in cells}


def test_cells_expand_per_year_and_per_unit_only_for_chaseable_units():
    cells = by_key(judge_cells(make_project(), []))
    assert set(cells) == {
        ("01.1", None, None),
        ("01.2", 2024, None), ("01.2", 2025, None), ("01.2", 2026, None),
        ("02.1", None, "市城管局"), ("02.1", None, "嵩阳街道"),  # "其它单位" is not a chaseable unit
    }
    assert cells[("01.1", None, None)].owner == "市爱卫办"
    assert cells[("02.1", None, "嵩阳街道")].owner == "嵩阳街道"


def test_missing_versus_overdue_follows_deadlines_and_today():
    cells = by_key(judge_cells(make_project(), []))
    assert cells[("01.2", 2025, None)].status is Status.OVERDUE  # completed year, due 2026-06-30
    assert cells[("01.2", 2026, None)].status is Status.MISSING  # current year, due 2026-12-31
    assert cells[("01.1", None, None)].status is Status.MISSING  # its own deadline 2027-01-31
    assert cells[("01.1", None, None)].deadline == dt.date(2027, 1, 31)
    early = by_key(judge_cells(make_project(today="2026-06-30"), []))
    assert early[("01.2", 2025, None)].status is Status.MISSING  # on the deadline day it is not late yet


def test_collected_needs_the_right_year_and_unit():
    files = [
        efile("01/01.2/2025-市爱卫办-计划.pdf", "01.2", [2025], "市爱卫办"),
        efile("02/02.1/2024-市城管局-台账.pdf", "02.1", [2024], "市城管局"),
    ]
    cells = by_key(judge_cells(make_project(), files))
    assert cells[("01.2", 2025, None)].status is Status.COLLECTED
    assert cells[("01.2", 2025, None)].files == ["01/01.2/2025-市爱卫办-计划.pdf"]
    assert cells[("01.2", 2024, None)].status is Status.OVERDUE
    assert cells[("02.1", None, "市城管局")].status is Status.COLLECTED
    assert cells[("02.1", None, "嵩阳街道")].status is Status.OVERDUE


def test_year_span_and_also_for_fill_several_cells():
    span = efile("01/01.2/2024至2026-市爱卫办-三年方案.pdf", "01.2", [2024, 2025, 2026], "市爱卫办", also_for=["01.1"])
    cells = by_key(judge_cells(make_project(), [span]))
    assert {cells[("01.2", y, None)].status for y in (2024, 2025, 2026)} == {Status.COLLECTED}
    assert cells[("01.1", None, None)].status is Status.COLLECTED


def test_a_file_with_an_error_makes_the_cell_pending_review_not_collected():
    bad = efile("01/01.1/2019-市爱卫办-旧文件.pdf", "01.1", [2019], "市爱卫办",
                problems=[Problem("outside-window", "年份 2019 不在评审年度范围内", "改为 2024–2026")])
    warned = efile("01/01.2/2024-市爱卫办-计划.pdf", "01.2", [2024], "市爱卫办",
                   problems=[Problem("personal-data", "疑似手机号", "标记 restricted", Level.WARNING)])
    cells = by_key(judge_cells(make_project(), [bad, warned]))
    assert cells[("01.1", None, None)].status is Status.REVIEW
    assert "2019" in cells[("01.1", None, None)].reason
    assert cells[("01.2", 2024, None)].status is Status.COLLECTED  # a warning does not demote


def test_a_pending_cell_says_its_reason_beside_the_file_naming_a_sidecar_line_not_a_path():
    path = "01/01.1/2024-市爱卫办-计划.pdf"
    own = efile(path, "01.1", [2024], "市爱卫办",
                problems=[Problem("empty", "文件是空的（0 字节）", "重新提交", place=Where(path))])
    assert by_key(judge_cells(make_project(), [own]))[("01.1", None, None)].reason == "文件是空的（0 字节）"
    sidecar = efile(path, "01.1", [2024], "市爱卫办", problems=[
        Problem("sidecar-error", "日期“2023-13-01”无效", "写成 YYYY-MM-DD", place=Where("01/01.1/2024-市爱卫办-计划.yml", 4))])
    assert by_key(judge_cells(make_project(), [sidecar]))[("01.1", None, None)].reason == "说明文件第 4 行：日期“2023-13-01”无效"


@pytest.mark.parametrize(
    "waiver, waived",
    [
        (Waiver(item=None, material="02.1", unit=None, reason="无"), {("02.1", None, "市城管局"), ("02.1", None, "嵩阳街道")}),
        (Waiver(item=None, material="02.1", unit="嵩阳街道", reason="无"), {("02.1", None, "嵩阳街道")}),
        (Waiver(item=1, material=None, unit=None, reason="无"),
         {("01.1", None, None), ("01.2", 2024, None), ("01.2", 2025, None), ("01.2", 2026, None)}),
    ],
)
def test_waivers_cover_item_material_or_one_unit(waiver, waived):
    cells = judge_cells(make_project(waivers=[waiver]), [])
    assert {k for k, c in by_key(cells).items() if c.status is Status.WAIVED} == waived
    assert all(c.reason == "无" for c in cells if c.status is Status.WAIVED)


def test_summary_rolls_up_and_waived_cells_do_not_count_against():
    project = make_project(waivers=[Waiver(item=None, material="01.1", unit=None, reason="无")])
    files = [efile("01/01.2/2025-市爱卫办-计划.pdf", "01.2", [2025], "市爱卫办")]
    archive = Archive(project=project, files=files, cells=judge_cells(project, files))
    summary = summarize(archive)
    assert summary.overall.total == 6 and summary.overall.required == 5
    assert summary.overall.counts[Status.COLLECTED] == 1
    assert summary.overall.percent == 20.0
    assert summary.by_item[1].counts[Status.WAIVED] == 1
    assert summary.by_category[1].total == 6
    assert summary.by_unit["嵩阳街道"].total == 1
    assert summary.by_year[2025].percent == 100.0
    assert summary.by_unit["市爱卫办"].percent == pytest.approx(100 / 3, abs=0.1)
