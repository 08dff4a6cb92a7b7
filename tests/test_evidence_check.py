"""The commit check: a real temporary git repository, the real loader and scanner, the real CLI."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest
from pypdf import PdfWriter

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "workflow"))

from factory import commit_all, evidence, init_repo, make_project, problem, write

from handbook.outputs import evidence_report as evidence_check
from handbook.cli import main
from handbook.model import Level

REPO_ROOT = Path(__file__).resolve().parent.parent
FOLDER = "evidence/03-年度计划与卫生创建/03.1-年度爱国卫生工作计划"
GOOD = f"{FOLDER}/2025-市爱卫办-2025年爱国卫生工作计划.pdf"
OLD_BAD = f"{FOLDER}/旧文件没有年份.pdf"
NEW_BAD = f"{FOLDER}/2024-市卫健居-2024年爱国卫生工作计划.pdf"  # 市卫健居: a typo of 市卫健委


def pdf(title: str) -> bytes:
    """A small valid PDF whose bytes differ by title (so files are not duplicates by accident)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture()
def repo(tmp_path):
    """The project's standards, one good and one old bad file in commit 1, a new bad file in commit 2."""
    root = tmp_path / "city"
    init_repo(root)
    shutil.copytree(REPO_ROOT / "standards", root / "standards")
    write(root, ".gitignore", ".cache/\n")
    write(root, GOOD, pdf("good"))
    write(root, OLD_BAD, pdf("old"))
    commit_all(root, "第一次提交")
    write(root, NEW_BAD, pdf("new"))
    commit_all(root, "卫健委提交计划")
    return root


def check(root: Path, *extra: str, capsys) -> tuple[int, str]:
    status = main(["--root", str(root), "check", "--evidence", *extra])
    return status, capsys.readouterr().out


def check_json(root: Path, *extra: str, capsys) -> tuple[int, dict]:
    status, out = check(root, *extra, "--format", "json", capsys=capsys)
    return status, json.loads(out)


def paths(report: dict) -> set[str]:
    return {p["path"] for p in report["problems"]}


def test_good_file_has_no_problem(repo, capsys):
    _, report = check_json(repo, capsys=capsys)
    assert GOOD not in paths(report), report["problems"]


def test_full_check_reports_old_and_new(repo, capsys):
    status, report = check_json(repo, capsys=capsys)
    assert status == 1 and report["ok"] is False
    assert {OLD_BAD, NEW_BAD} <= paths(report)
    assert report["changed_since"] is None
    assert report["project"]["ok"] is True  # the check command adds the standards' report


def test_changed_since_reports_only_the_new_file(repo, capsys):
    status, report = check_json(repo, "--changed-since", "HEAD~1", capsys=capsys)
    assert status == 1
    assert paths(report) == {NEW_BAD}
    unknown = [p for p in report["problems"] if p["code"] == "unknown-unit"]
    assert unknown and unknown[0]["level"] == "error"
    assert "市卫健委" in unknown[0]["fix"] or "市卫健委" in unknown[0]["message"]  # nearest name suggested
    assert report["checked_files"] == 1 and report["scanned_files"] == 3
    assert report["changed_since"] == "HEAD~1"


def test_nothing_changed_passes_and_untracked_files_count(repo, capsys):
    status, report = check_json(repo, "--changed-since", "HEAD", capsys=capsys)
    assert (status, report["problems"], report["checked_files"]) == (0, [], 0)
    write(repo, f"{FOLDER}/未跟踪 的文件.pdf", pdf("untracked"))
    status, report = check_json(repo, "--changed-since", "HEAD", capsys=capsys)
    assert status == 1
    assert paths(report) == {f"{FOLDER}/未跟踪 的文件.pdf"}


def test_a_changed_copy_of_an_old_file_is_reported_either_way(repo, capsys):
    # Sorts before GOOD: the scanner marks GOOD (the later path) as the copy; the check re-aims it.
    early = f"{FOLDER}/2024-市爱卫办-2025年爱国卫生工作计划副本.pdf"
    # Sorts after GOOD: the scanner marks the new file itself.
    late = f"{FOLDER}/2026-市爱卫办-2025年爱国卫生工作计划副本.pdf"
    shutil.copyfile(repo / GOOD, repo / early)
    shutil.copyfile(repo / GOOD, repo / late)
    commit_all(repo, "重复提交")
    status, report = check_json(repo, "--changed-since", "HEAD~1", capsys=capsys)
    assert status == 1
    duplicates = {p["path"] for p in report["problems"] if p["code"] == "duplicate-content"}
    assert duplicates == {early, late}
    assert GOOD not in paths(report)  # unchanged: not reported in a changed-since check


def test_a_changed_sidecar_puts_its_file_in_scope(repo, capsys):
    write(repo, GOOD.replace(".pdf", ".yml"), "审核人: 张三\n")
    commit_all(repo, "补充说明文件")
    status, report = check_json(repo, "--changed-since", "HEAD~1", capsys=capsys)
    assert status == 1
    assert {(p["path"], p["code"]) for p in report["problems"]} == {(GOOD, "sidecar-error")}


def test_unknown_revision_falls_back_to_a_full_check(repo, capsys):
    status, report = check_json(repo, "--changed-since", "no-such-rev", capsys=capsys)
    assert status == 1
    assert report["changed_since"] is None
    assert "no-such-rev" in report["notes"][0]
    assert {OLD_BAD, NEW_BAD} <= paths(report)


def test_text_report_groups_by_unit_in_chinese(repo, capsys):
    status, out = check(repo, "--changed-since", "HEAD~1", capsys=capsys)
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == ("结论：未通过。佐证材料：检查了 1 个文件，0 个通过，1 个有问题（1 个错误）；"
                        "标准与本市方案：无错误、无警告。请按下面每一条的改法修改后重新提交。")
    assert sum(1 for line in lines if line.startswith("结论：")) == 1  # one verdict, on top
    assert "一、标准与本市方案（standards/）：无错误、无警告" in lines
    assert "二、佐证材料（evidence/）：检查自 HEAD~1 以来改动的 1 个文件（全库共 3 个）" in lines
    assert "  【未识别单位：市卫健居】1 个文件：1 个错误" in lines
    assert f"    ✗ {NEW_BAD}（提交人 张三）" in lines
    assert "          改法：是否应为“市卫健委”？改名为 2024-市卫健委-2024年爱国卫生工作计划.pdf" in lines
    assert out.rstrip().endswith("每种问题的说明和正反例见 docs/workflow.md。")


def test_full_check_reports_missing_folders_and_passed_files(repo, capsys):
    _status, report = check_json(repo, capsys=capsys)
    assert report["passed"] == [GOOD]
    assert len(report["missing_folders"]) == 197  # 198 materials, one folder (03.1) exists
    assert "evidence/01-纳入议程与规范性文件/01.1-爱国卫生工作规范性文件/" in report["missing_folders"]
    assert f"{FOLDER}/" not in report["missing_folders"]
    _, out = check(repo, capsys=capsys)
    assert "  缺少的资料文件夹（197 个；运行 python -m handbook scaffold 一次建好，不会改动已有文件）：" in out


# --------------------------------------------------------------------------- the report itself


def _report(files, changed=None):
    return evidence_check.build_report(make_project(), files, root=Path("/nowhere"), changed=changed)


def test_warnings_alone_pass():
    files = [evidence("03/03.2/2025-市卫健委-计划.pdf", unit="市卫健委",
                      problems=[problem("too-large", level=Level.WARNING)])]
    report = _report(files)
    assert report.ok and report.warnings == 1
    assert evidence_check.format_text(report).splitlines()[0] == (
        "结论：通过。佐证材料：检查了 1 个文件，1 个通过，1 个有问题（无错误、1 个警告）。")


def test_groups_follow_the_plan_order_then_unresolved_units():
    files = [
        evidence("03/03.2/2025-某局-a.pdf", unit=None, unit_raw="某局", problems=[problem("unknown-unit")]),
        evidence("03/03.2/2025-市教育局-b.pdf", unit="市教育局", problems=[problem("empty")]),
        evidence("01/01.1/2025-市爱卫办-c.pdf", unit="市爱卫办",
                 problems=[problem("too-large", level=Level.WARNING), problem("pdf-truncated")]),
    ]
    report = _report(files)
    assert list(report.groups()) == ["市爱卫办", "市教育局", "未识别单位：某局"]
    assert [f.code for f in report.groups()["市爱卫办"]] == ["pdf-truncated", "too-large"]  # errors first
    data = evidence_check.report_as_dict(report)
    assert data["by_unit"]["市爱卫办"] == {"errors": 1, "warnings": 1}
    json.dumps(data, ensure_ascii=False)  # serialisable


def test_indicator_rows_are_listed_in_row_order():
    from handbook.model import Where
    from handbook.problems import error

    rows = [error(Where("evidence/indicators/values.csv", n), f"第 {n} 行", "改", "bad-value")
            for n in (11, 2, 21, 5)]
    report = evidence_check.build_report(make_project(), [], rows, root=Path("/nowhere"))
    lines = [f.path.rsplit(":", 1)[1] for f in report.findings]
    assert lines == ["2", "5", "11", "21"]


def test_run_returns_one_only_for_errors(monkeypatch, tmp_path):
    import argparse

    cases = {Level.ERROR: 1, Level.WARNING: 0}
    for level, expected in cases.items():
        files = [evidence("03/03.2/x.pdf", unit="市卫健委", problems=[problem("bad-name", level=level)])]
        monkeypatch.setattr(evidence_check, "_scan", lambda *a, files=files: files)
        monkeypatch.setattr(evidence_check, "_indicator_problems", lambda *a: [])
        out = io.StringIO()
        args = argparse.Namespace(root=tmp_path, today=None, changed_since=None, format="json")
        assert evidence_check.run_evidence_check(args, make_project(), out=out) == expected
        assert json.loads(out.getvalue())["ok"] is (expected == 0)


def test_every_problem_code_the_scanner_uses_is_listed_and_explained_in_the_workflow_guide():
    import re

    from handbook.scan.codes import PROBLEM_CODES

    scan_sources = "".join(path.read_text(encoding="utf-8")
                           for path in (REPO_ROOT / "hooks" / "handbook" / "scan").rglob("*.py"))
    codes = set(re.findall(r'Problem\(\s*"([a-z][a-z-]+)"', scan_sources))
    assert {"file-in-root", "lfs-pointer", "invisible-character"} <= codes  # the pattern still finds them
    codes |= {"bad-name", "no-year", "bad-year", "ext-mismatch", "duplicate-content"}  # built from variables
    assert codes - set(PROBLEM_CODES) == set()
    guide = (REPO_ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)*)`", guide))
    assert set(PROBLEM_CODES) - documented == set()
