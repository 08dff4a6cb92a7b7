"""催报单 and 通报 workbooks, read back with pandas."""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "workflow"))

from factory import make_archive

from handbook.outputs import worklist
from handbook.commands import worklist as worklist_command
from handbook.model import Status


@pytest.fixture()
def archive(tmp_path):
    (tmp_path / "evidence" / "03-计划" / "03.1-各单位年度总结").mkdir(parents=True)
    return make_archive(tmp_path)


def read(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, dtype={"项": str, "材料编号": str})


def test_unit_workbook_lists_exactly_its_missing_and_overdue_cells(archive, tmp_path):
    path = worklist.write_unit_workbook(archive, "市城管局", tmp_path / "out" / "a.xlsx")
    cells = read(path, "缺失与逾期")
    expected = [c for c in archive.cells if c.owner == "市城管局" and c.status in (Status.MISSING, Status.OVERDUE)]
    assert len(cells) == len(expected) == 2
    # Earliest deadline first: the overdue 2025 cell, then the 2026 one.
    assert list(cells["状态"]) == ["逾期", "缺失"]
    assert list(cells["年度"].astype(str)) == ["2025", "2026"]
    assert list(cells["截止日期"].dt.date.astype(str)) == ["2026-06-30", "2026-12-31"]
    assert list(cells["剩余天数"]) == [-15, 169]  # today 2026-07-15: 15 days past 06-30, 169 days to 12-31
    assert set(cells["材料编号"]) == {"03.1"}
    # The folder that already exists is named, so the liaison finds it.
    assert cells["提交到文件夹"].iloc[0] == "evidence/03-计划/03.1-各单位年度总结/"
    assert cells["文件名示例"].iloc[0] == "2025-市城管局-各单位年度总结.pdf"


def test_unit_workbook_problems_include_unattributed_files_in_its_cells(archive, tmp_path):
    path = worklist.write_unit_workbook(archive, "市城管局", tmp_path / "a.xlsx")
    problems = read(path, "问题文件")
    # 10/10.1/清扫.pdf has no unit in its name, but it sits in a cell 市城管局 answers for.
    assert list(problems["文件"]) == ["evidence/10/10.1/清扫.pdf"]
    assert list(problems["问题代码"]) == ["bad-name"]


def test_text_that_looks_like_a_formula_stays_text(archive, tmp_path):
    path = worklist.write_unit_workbook(archive, "市教育局", tmp_path / "b.xlsx")
    problems = read(path, "问题文件")
    assert problems["问题"].iloc[0].startswith("=HYPERLINK")
    with zipfile.ZipFile(path) as book:
        sheets = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no formula anywhere


def test_indicators_without_values_are_listed_for_their_owner_only(archive, tmp_path):
    wjw = read(worklist.write_unit_workbook(archive, "市卫健委", tmp_path / "w.xlsx"), "待补指标")
    cgj = read(worklist.write_unit_workbook(archive, "市城管局", tmp_path / "c.xlsx"), "待补指标")
    assert list(wjw["指标"]) == [1]
    assert wjw["已有数据年度"].iloc[0] == "无"
    assert cgj.empty  # indicator 2 passed


def test_summary_ranks_units_by_completion(archive, tmp_path):
    path = worklist.write_summary_workbook(archive, tmp_path / "s.xlsx")
    ranking = pd.read_excel(path, sheet_name="通报排名")
    assert list(ranking.columns) == ["分组", "排名", "单位", "应交", "已交", "缺失", "逾期", "待核", "完成率"]
    # min_ranked_cells is 5: only 市卫健委 (5 cells) is ranked, the others are listed after it, unranked
    assert list(ranking["单位"]) == ["市卫健委", "市爱卫办", "市城管局", "市教育局"]
    assert list(ranking["排名"].astype(str)) == ["1", "不排名", "不排名", "不排名"]
    wjw = ranking[ranking["单位"] == "市卫健委"].iloc[0]
    assert (wjw["应交"], wjw["已交"], wjw["缺失"], wjw["逾期"]) == (5, 2, 2, 1)
    assert wjw["完成率"] == pytest.approx(0.40)
    details = pd.read_excel(path, sheet_name="缺失逾期明细")
    assert len(details) == sum(len(worklist._owners(c)) for c in archive.cells if c.status in (Status.MISSING, Status.OVERDUE))


def test_summary_ranks_within_peer_groups_and_ties_share_a_rank(archive, tmp_path):
    import dataclasses

    plan = archive.project.plan
    plan.min_ranked_cells = 1
    # make 市城管局 a 街道: it leaves the departments' ranking and heads its own group
    plan.units["市城管局"] = dataclasses.replace(plan.units["市城管局"], kind="街道")
    path = worklist.write_summary_workbook(archive, tmp_path / "s.xlsx")
    ranking = pd.read_excel(path, sheet_name="通报排名")
    rows = list(zip(ranking["分组"], ranking["单位"], ranking["排名"]))
    assert rows == [
        ("街道、乡镇", "市城管局", 1),
        ("市直部门和单位", "市爱卫办", 1),  # 1 of 1: 100 %
        ("市直部门和单位", "市卫健委", 2),  # 2 of 5: 40 %
        ("市直部门和单位", "市教育局", 3),  # 0 of 2
    ]
    plan.units["市城管局"] = dataclasses.replace(plan.units["市城管局"], kind="")
    rows = [(r.unit, r.rank) for r in worklist.ranking(archive)]
    # 市城管局 and 市教育局 both 0 %: they share rank 3, the next would be 5
    assert rows == [("市爱卫办", 1), ("市卫健委", 2), ("市城管局", 3), ("市教育局", 3)]


def test_a_supervised_cell_is_chased_from_its_owner_only_never_from_the_lead(archive, tmp_path):
    _index, cell = next((i, c) for i, c in enumerate(archive.cells)
                       if c.owner == "市城管局" and c.status is Status.OVERDUE)
    cell.supervisors = ("市卫健委",)  # 市卫健委 leads the item: it supervises, it does not owe
    path = worklist.write_unit_workbook(archive, "市卫健委", tmp_path / "wjw.xlsx")
    rows = read(path, "缺失与逾期")
    same = rows[(rows["材料编号"] == cell.material) & (rows["年度"].astype(str) == str(cell.year))]
    assert same.empty
    details = read(worklist.write_summary_workbook(archive, tmp_path / "s.xlsx"), "缺失逾期明细")
    listed = details[(details["材料编号"] == cell.material) & (details["年度"].astype(str) == str(cell.year))]
    assert list(listed["单位"]).count("市城管局") == 1 and "市卫健委" not in list(listed["单位"])


def test_write_worklists_writes_units_with_work_and_the_summary(archive, tmp_path):
    written = worklist.write_worklists(archive, tmp_path / "out")
    names = sorted(p.name for p in written)
    # 市爱卫办 owes nothing: no 催报单 for it.
    assert names == sorted(["催报单-市卫健委.xlsx", "催报单-市城管局.xlsx", "催报单-市教育局.xlsx", "催报汇总.xlsx"])
    assert not list((tmp_path / "out").glob(".tmp-*"))  # no temp file left behind


def _args(tmp_path, unit):
    return argparse.Namespace(root=tmp_path, today=None, unit=unit, out=tmp_path / "wl")


def test_command_accepts_an_alias_and_suggests_the_nearest_unit(archive, tmp_path, monkeypatch, capsys):
    import handbook.pipeline

    monkeypatch.setattr(handbook.pipeline, "build_archive", lambda root, **kw: archive)
    assert worklist_command.run(_args(tmp_path, "城管局")) == 0
    assert [p.name for p in (tmp_path / "wl").iterdir()] == ["催报单-市城管局.xlsx"]
    assert worklist_command.run(_args(tmp_path, "市城管居")) == 1
    err = capsys.readouterr().err
    assert "市城管居" in err and "市城管局" in err


def test_real_pipeline_small_project(tmp_path, capsys):
    """The command end to end: real loader, scanner and judge on the project's standards and two files."""
    import shutil

    from handbook.cli import main

    repo = Path(__file__).resolve().parent.parent
    root = tmp_path / "city"
    shutil.copytree(repo / "standards", root / "standards")
    folder = root / "evidence" / "03-年度计划与卫生创建" / "03.1-年度爱国卫生工作计划"
    folder.mkdir(parents=True)
    (folder / "2025-市爱卫办-2025年爱国卫生工作计划.docx").write_bytes(b"not really a docx")
    assert main(["--root", str(root), "worklist", "--out", str(tmp_path / "wl")]) == 0
    summary = tmp_path / "wl" / "催报汇总.xlsx"
    ranking = pd.read_excel(summary, sheet_name="通报排名")
    assert len(ranking) > 10 and set(ranking["分组"]) <= {"街道、乡镇", "市直部门和单位"}
    office = read(tmp_path / "wl" / "催报单-市爱卫办.xlsx", "问题文件")
    assert any("2025-市爱卫办-2025年爱国卫生工作计划.docx" in path for path in office["文件"])
    cells = read(tmp_path / "wl" / "催报单-市爱卫办.xlsx", "缺失与逾期")
    assert not cells.empty and cells["截止日期"].notna().all()
