"""The package with real LibreOffice: Office files reach the reviewers as PDFs whose Chinese text reads back,
a damaged one is a clear entry in the office's list, and the shipped demo meets issue #13's "done" list.

Skipped with a reason when soffice is missing, unless CI=true (then it fails), as test_package_convert.py.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from support import require_soffice
from handbook.outputs import package as pkg
from office_samples import make_broken_docx, make_docx, make_pptx, make_xlsx
from test_package import add_file, internal_sheet, make_archive, names

pytestmark = pytest.mark.libreoffice
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", autouse=True)
def soffice():
    return require_soffice()


def office_archive(tmp: Path):
    archive = make_archive(tmp)
    archive.files = [f for f in archive.files if not f.name.endswith(".docx")]  # the fixture's fake one
    folder = "03/03.1-年度工作计划"
    samples = {
        "计划": ("docx", lambda p: make_docx(p, ["登封市爱国卫生工作计划", "病媒生物防制"])),
        "联络员名单": ("xlsx", lambda p: make_xlsx(p, [["单位", "联络员"], ["嵩阳街道", "王芳"]])),
        "培训课件": ("pptx", lambda p: make_pptx(p, "控烟宣传培训")),
        "损坏的计划": ("docx", make_broken_docx),
    }
    for title, (ext, writer) in samples.items():
        archive.files.append(add_file(archive.evidence_root, f"{folder}/2024-市爱卫办-{title}.{ext}", item=3,
                                      mat="03.1", years=(2024,), unit="市爱卫办", title=title, filetype=ext,
                                      writer=writer))
    return archive


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("office")
    archive = office_archive(tmp)
    return archive, pkg.build_package(archive, tmp / "out", progress=lambda *a: None)


def review_pdf(result, title: str) -> PdfReader:
    with zipfile.ZipFile(result.review.zip_path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(f"-{title}.pdf"))
        return PdfReader(io.BytesIO(zf.read(name)))


def test_office_files_reach_reviewers_as_pdfs_with_their_text(built):
    _, result = built
    assert "登封市爱国卫生工作计划" in review_pdf(result, "计划").pages[0].extract_text()
    sheet = review_pdf(result, "联络员名单").pages[0].extract_text()
    assert "嵩阳街道" in sheet and "王芳" in sheet
    assert "控烟宣传培训" in review_pdf(result, "培训课件").pages[0].extract_text()
    assert not any(n.endswith((".docx", ".xlsx", ".pptx")) for n in names(result.review.zip_path) if "/分项佐证/" in n)


def test_volume_index_says_what_each_pdf_was_converted_from(built):
    _, result = built
    book = pd.read_excel(result.published["卷内目录.xlsx"], sheet_name=None, dtype=str)
    item03 = next(df for name, df in book.items() if name.startswith("03-")).fillna("")
    remarks = dict(zip(item03["题名"], item03["备注"], strict=True))
    assert remarks["计划"] == "由 Word 转换"
    assert remarks["联络员名单"] == "由 Excel 转换" and remarks["培训课件"] == "由 PowerPoint 转换"
    text = "".join(p.extract_text() for p in PdfReader(result.published["卷内目录.pdf"]).pages)
    assert "由 Word 转换" in text


def test_converted_pdfs_join_the_slot_and_originals_stay_in_the_office_part(built):
    _, result = built
    plan = next(s for s in result.slots if s.key == "work-plan")
    assert {"2024 市爱卫办 计划", "2024 市爱卫办 联络员名单", "2024 市爱卫办 培训课件"} <= set(plan.documents)
    originals = [n.rsplit("/", 1)[-1] for n in names(result.internal.zip_path) if "/转换原件/" in n]
    # Named like their PDFs in 分项佐证 (2024 files by title: 培训课件, the photo, 联络员名单, 计划), own extension.
    assert sorted(originals) == ["03.1-02-2024-市爱卫办-培训课件.pptx", "03.1-04-2024-市爱卫办-联络员名单.xlsx",
                                 "03.1-05-2024-市爱卫办-计划.docx"]


def test_damaged_docx_is_a_clear_entry_not_a_crash(built):
    _, result = built
    failed = internal_sheet(result, "转换失败")
    assert list(failed["文件（evidence/ 下）"]) == ["03/03.1-年度工作计划/2024-市爱卫办-损坏的计划.docx"]
    assert failed["原因"].item().startswith("Word 文件已损坏")
    assert "另存为（或导出为）PDF 后重新提交" in failed["怎么改"].item()


def test_package_with_conversions_is_byte_reproducible(built, tmp_path):
    archive, first = built
    second = pkg.build_package(archive, tmp_path / "again", progress=lambda *a: None)
    for one, two in zip(first.parts, second.parts, strict=True):
        assert one.sha256 == two.sha256, one.name


def test_shipped_demo_meets_the_done_list(tmp_path, monkeypatch):
    """Issue #13: part 1 only slot PDFs under max_file_mb, nothing restricted or with a problem; part 2 no 待核
    file and no docx/xlsx/pptx; 缺失资料清单 only in part 3; page and README say what each part is for."""
    from handbook.pipeline import build_archive

    monkeypatch.setenv("HANDBOOK_TODAY", "2026-08-01")
    archive = build_archive(ROOT)
    result = pkg.build_package(archive, tmp_path, progress=lambda *a: None)
    limit = archive.project.plan.max_file_mb * 1024 * 1024
    troubled = {f.title for f in archive.files if f.restricted or f.problems}
    assert troubled  # the demo does ship problem and restricted files
    with zipfile.ZipFile(result.upload.zip_path) as zf:
        infos = zf.infolist()
        bookmarks = [o.title for i in infos for o in PdfReader(io.BytesIO(zf.read(i))).outline]
    assert infos and all(i.filename.endswith((".pdf", ".ofd")) and i.file_size < limit for i in infos)
    assert all(i.filename.count("/") == 1 for i in infos)
    assert not any(title in mark for mark in bookmarks for title in troubled)
    review = names(result.review.zip_path)
    assert not any(n.endswith((".docx", ".xlsx", ".pptx", ".jpg", ".png", ".txt")) for n in review if "/分项佐证/" in n)
    catalog = pd.read_excel(result.published["总目录.xlsx"], dtype=str).fillna("")
    assert not set(catalog["标题"]) & troubled and not catalog["说明"].str.contains("待核").any()
    assert not any("缺失资料清单" in n for n in review + names(result.upload.zip_path))
    assert any(n.endswith("/缺失资料清单.xlsx") for n in names(result.internal.zip_path))
    regulations = next(s for s in result.slots if s.key == "regulations")
    assert regulations.status_text == "已生成（缺 09.1 控烟法规或规范性文件）"
    report = next(s for s in result.slots if s.key == "recommendation")
    assert all(d.startswith("2026 ") for d in report.documents)  # the review year's, not 2023's
    page = pkg.render_page(result)
    assert "1 上传资料" in page and "2 评审资料" in page and "3 内部清单" in page
    assert "各栏目" in result.upload.purpose and "评审专家" in result.review.purpose
    assert "分项佐证/" in result.published["README.txt"].read_text(encoding="utf-8-sig")
