"""The 催报单 and the 问题文件清单 are not written again when nothing they are made from changed
(handbook.outputs.reuse; the package's own reuse is tested in test_package_reuse.py)."""

from __future__ import annotations

import dataclasses

import pytest
from openpyxl import load_workbook

import handbook.outputs.problem_list as problem_list
import handbook.outputs.worklist_site as worklist_site
from handbook.model import Level, Problem, Status, Where
from handbook.outputs.problem_list import write_problem_list
from handbook.outputs.worklist_site import write_site_worklists
from test_site_render import make_archive


@pytest.fixture
def writes(monkeypatch):
    """The outputs really written (not reused), by name."""
    calls: list[str] = []
    real_worklists, real_list = worklist_site._write_all, problem_list._write_problem_list

    def worklists(*args):
        calls.append("worklists")
        return real_worklists(*args)

    def problems(*args):
        calls.append("problem list")
        return real_list(*args)

    monkeypatch.setattr(worklist_site, "_write_all", worklists)
    monkeypatch.setattr(problem_list, "_write_problem_list", problems)
    return calls


def _both(archive, folder):
    return write_site_worklists(archive, folder / "worklists"), write_problem_list(archive, folder / "problems")


def test_unchanged_inputs_keep_the_workbooks_as_they_are(tmp_path, writes):
    archive = make_archive()
    worklists, listed = _both(archive, tmp_path)
    written = {p: p.stat().st_mtime_ns for p in [*worklists.outputs(), listed]}
    again, listed_again = _both(archive, tmp_path)
    assert writes == ["worklists", "problem list"]
    assert again.published == worklists.published and again.held == worklists.held
    assert listed_again == listed
    assert {p: p.stat().st_mtime_ns for p in [*again.outputs(), listed_again]} == written
    # A touched file with the same bytes is no change either.
    archive.files[0] = dataclasses.replace(archive.files[0], mtime_ns=archive.files[0].mtime_ns + 10**9)
    _both(archive, tmp_path)
    assert writes == ["worklists", "problem list"]


def _change(archive, change: str) -> None:
    if change == "file title":
        archive.files[0].title = "改过的标题"
    elif change == "new problem":
        archive.files[0].problems.append(Problem("bad-name", "文件名不合格", "改名", Level.WARNING))
    elif change == "cell status":
        archive.cells[0].status = Status.OVERDUE if archive.cells[0].status is not Status.OVERDUE else Status.MISSING
    elif change == "today":
        archive.project.plan.today = archive.project.plan.today.replace(year=archive.project.plan.today.year + 1)
    elif change == "findings table":
        archive.finding_problems.append(Problem("bad-row", "第 3 行日期无法识别", "写成 2026-05-01",
                                                Level.ERROR, place=Where("evidence/findings/问题台账.xlsx", line=3)))


@pytest.mark.parametrize("change", ["file title", "new problem", "cell status", "today", "findings table"])
def test_a_changed_input_writes_both_again(tmp_path, writes, change):
    archive = make_archive()
    _both(archive, tmp_path)
    _change(archive, change)
    _, listed = _both(archive, tmp_path)
    assert writes == ["worklists", "problem list", "worklists", "problem list"]
    if change == "findings table":
        rows = list(load_workbook(listed)["问题台账"].values)
        assert rows[1][3] == "第 3 行日期无法识别"


def test_a_deleted_or_edited_workbook_is_written_again(tmp_path, writes):
    archive = make_archive()
    worklists, listed = _both(archive, tmp_path)
    next(iter(worklists.published.values())).unlink()
    listed.write_bytes(b"edited by hand")
    again, listed_again = _both(archive, tmp_path)
    assert writes == ["worklists", "problem list"] * 2
    assert all(p.is_file() for p in again.outputs())
    assert load_workbook(listed_again).sheetnames == ["问题文件", "标准与方案", "指标数值表", "问题台账"]


@pytest.mark.parametrize("stamp", ["{not json", "[]", '{"format": 3, "key": 7}'])
def test_an_unreadable_stamp_means_write(tmp_path, writes, stamp):
    archive = make_archive()
    _both(archive, tmp_path)
    (tmp_path / "worklists" / ".worklists-stamp.json").write_text(stamp, encoding="utf-8")
    (tmp_path / "problems" / ".problem-list-stamp.json").write_text(stamp, encoding="utf-8")
    _both(archive, tmp_path)
    assert writes == ["worklists", "problem list"] * 2


def test_reuse_can_be_turned_off(tmp_path, writes):
    archive = make_archive()
    _both(archive, tmp_path)
    write_site_worklists(archive, tmp_path / "worklists", reuse_unchanged=False)
    write_problem_list(archive, tmp_path / "problems", reuse_unchanged=False)
    assert writes == ["worklists", "problem list"] * 2
