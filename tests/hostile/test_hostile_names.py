"""Hostile file names (issue 17, weak spots): look-alike separators, trailing dots and spaces, invisible
characters, names that only differ by case or Unicode normalisation, and a Markdown link in a name."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from conftest import ROOT, assert_bounded, run_handbook, tree_digest

from handbook.load.project import load_project
from handbook.scan.evidence import scan_evidence
from handbook.scan.names import parse_file_name

FOLDER = "03-年度计划与卫生创建/03.1-年度工作计划"


@pytest.fixture
def small(tmp_path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(ROOT / "standards", root / "standards")
    shutil.copytree(ROOT / "tests" / "fixtures" / "site" / "evidence", root / "evidence")
    return root


def scan_with(root: Path, names: list[str]) -> dict:
    folder = root / "evidence" / FOLDER
    sample = sorted(folder.glob("*.pdf"))[0].read_bytes()
    for index, name in enumerate(names):
        (folder / name).write_bytes(sample + b"%" + str(index).encode())  # distinct contents: no duplicate warning
    files = scan_evidence(load_project(root), root / "evidence", git=False)
    return {f.path.rsplit("/", 1)[-1]: f for f in files}


def said(file, code: str) -> list[tuple[str, str]]:
    return [(p.message, p.fix) for p in file.problems if p.code == code]  # the place is data: never in the message


@pytest.mark.parametrize("name, problem, suggested", [
    ("2024—市爱卫办—长横线计划.pdf", "文件名用“—”分隔“年份-单位-标题”，应使用半角短横线 -", "2024-市爱卫办-长横线计划.pdf"),
    ("2024–市爱卫办–短横线计划.pdf", "文件名用“–”分隔“年份-单位-标题”，应使用半角短横线 -", "2024-市爱卫办-短横线计划.pdf"),
    ("2024\u3000市爱卫办\u3000全角空格计划.pdf", "文件名用全角空格分隔“年份-单位-标题”，应使用半角短横线 -",
     "2024-市爱卫办-全角空格计划.pdf"),
    ("2024-市爱卫办-末尾点计划.pdf.", "文件名末尾（扩展名之后）多了点：Windows 会把它去掉，网站和材料包里的文件名也会出错",
     "2024-市爱卫办-末尾点计划.pdf"),
    ("2024-市爱卫办-末尾空格计划.pdf ", "文件名末尾（扩展名之后）多了空格：Windows 会把它去掉，网站和材料包里的文件名也会出错",
     "2024-市爱卫办-末尾空格计划.pdf"),
], ids=["em-dash", "en-dash", "ideographic-space", "trailing-dot", "trailing-space"])
def test_separator_and_trailing_mistakes_get_a_correct_name(small, name, problem, suggested):
    file = scan_with(small, [name])[name]
    assert said(file, "bad-name") == [(problem, f"改名为“年份-单位-标题.扩展名”，例如 {suggested}（年份写文件所属的年度）")
                                      if "末尾" not in problem else (problem, f"改名为“年份-单位-标题.扩展名”，例如 {suggested}")]
    assert ".pdf.pdf" not in str(file.problems)


def test_trailing_space_keeps_the_extension_for_the_package():
    parts = parse_file_name("2024-市爱卫办-计划.pdf ")
    assert (parts.ext, parts.unit_raw, parts.title, parts.issue) == ("pdf", "市爱卫办", "计划", "bad-name")


@pytest.mark.parametrize("name, named, clean", [
    ("2024-市爱卫办-\u200b零宽计划.pdf", "零宽空格（U+200B，第 11 个字符）", "2024-市爱卫办-零宽计划.pdf"),
    ("\ufeff2024-市爱卫办-BOM计划.pdf", "字节顺序标记（BOM）（U+FEFF，第 1 个字符）", "2024-市爱卫办-BOM计划.pdf"),
], ids=["zero-width-space", "bom"])
def test_invisible_characters_are_named(small, name, named, clean):
    file = scan_with(small, [name])[name]
    assert said(file, "invisible-character") == [
        (f"名称中有看不见的字符：{named}", f"重新输入文件名（不要从网页或聊天记录里复制），改为 {FOLDER}/{clean}")]
    assert file.years == (2024,) and not said(file, "bad-year")  # read as what it looks like


def test_names_differing_only_by_case_or_normalisation_are_warned_naming_both(small):
    nfc, nfd = (unicodedata.normalize(form, "2024-市爱卫办-café计划.pdf") for form in ("NFC", "NFD"))
    files = scan_with(small, ["2024-市爱卫办-Plan计划.pdf", "2024-市爱卫办-plan计划.pdf", nfc, nfd])
    assert said(files["2024-市爱卫办-Plan计划.pdf"], "name-clash") == [(
        f"与 “{FOLDER}/2024-市爱卫办-plan计划.pdf”（只差大小写）在 Windows 和 macOS 上是同一个名字，在那里检出时只会剩下一个",
        "给其中一个改一个明显不同的名字（或删除重复的那个）")]
    assert "2024-市爱卫办-Plan计划.pdf" in said(files["2024-市爱卫办-plan计划.pdf"], "name-clash")[0][0]
    assert "NFC/NFD" in said(files[nfc], "name-clash")[0][0] and "NFC/NFD" in said(files[nfd], "name-clash")[0][0]


def test_hostile_names_in_check_no_traceback_evidence_unchanged(demo):
    folder = next((demo / "evidence").glob("03-*")) / "03.1-年度爱国卫生工作计划"
    sample = sorted(folder.glob("*.pdf"))[0].read_bytes()
    for name in ["2024—市爱卫办—长横线计划.pdf", "2024-市爱卫办-末尾点计划.pdf.", "2024-市爱卫办-\u200b零宽计划.pdf",
                 "2024-市爱卫办-[附件](x.md).pdf", "2024-市爱卫办-<script>alert(1)<\\script>.pdf"]:
        (folder / name).write_bytes(sample)
    before = tree_digest(demo / "evidence")
    run = run_handbook(demo, "check", "--evidence")
    assert_bounded(run)
    assert run.code == 1 and "2024-市爱卫办-长横线计划.pdf" in run.out and "零宽空格（U+200B" in run.out
    assert tree_digest(demo / "evidence") == before
