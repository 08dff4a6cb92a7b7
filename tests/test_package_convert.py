"""Real LibreOffice conversions: Chinese Word, Excel and PowerPoint files become PDFs whose text reads back.

Skipped with a reason when soffice is missing, unless CI=true (then it fails), as the browser tests are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import pytest
from pypdf import PdfReader

from support import require_soffice
from handbook.outputs.package.convert import Failure, OfficeConverter
from handbook.outputs.package.ofd import check_ofd
from office_samples import make_broken_docx, make_docx, make_pptx, make_xlsx

pytestmark = pytest.mark.libreoffice
CREATED = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(scope="module")
def soffice():
    return require_soffice()


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("office")
    return {
        "docx": make_docx(folder / "计划.docx", ["登封市爱国卫生工作计划", "病媒生物防制"]),
        "xlsx": make_xlsx(folder / "名单.xlsx", [["单位", "联络员"], ["嵩阳街道", "王芳"]]),
        "pptx": make_pptx(folder / "培训.pptx", "控烟宣传培训"),
        "broken": make_broken_docx(folder / "坏.docx"),
    }


def _convert(soffice, samples, workdir):
    converter = OfficeConverter(soffice, workdir, CREATED)
    order = [(samples["docx"], "docx"), (samples["xlsx"], "xlsx"), (samples["pptx"], "pptx"), (samples["broken"], "docx")]
    return converter, converter.convert(order)


def _text(path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_word_excel_powerpoint_become_pdfs_with_their_chinese_text(soffice, samples, tmp_path):
    converter, results = _convert(soffice, samples, tmp_path)
    assert "登封市爱国卫生工作计划" in _text(results[samples["docx"]])
    assert "病媒生物防制" in _text(results[samples["docx"]])
    assert "嵩阳街道" in _text(results[samples["xlsx"]]) and "王芳" in _text(results[samples["xlsx"]])
    assert "控烟宣传培训" in _text(results[samples["pptx"]])
    assert converter.runs == 1  # three files, one LibreOffice process


def test_corrupted_docx_is_a_clear_entry_not_a_crash(soffice, samples, tmp_path):
    _, results = _convert(soffice, samples, tmp_path)
    failure = results[samples["broken"]]
    assert isinstance(failure, Failure)
    assert failure.reason.startswith("Word 文件已损坏")
    assert "另存为（或导出为）PDF 后重新提交" in failure.fix


def test_conversions_are_byte_reproducible(soffice, samples, tmp_path):
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    first_dir.mkdir()
    second_dir.mkdir()
    _, first = _convert(soffice, samples, first_dir)
    _, second = _convert(soffice, samples, second_dir)
    for kind in ("docx", "xlsx", "pptx"):
        digest = [hashlib.sha256(r[samples[kind]].read_bytes()).hexdigest() for r in (first, second)]
        assert digest[0] == digest[1], kind
    info = PdfReader(first[samples["docx"]]).metadata
    assert info["/CreationDate"] == "D:20260301090000+08'00'"


def test_ofd_pages_and_signature_read_with_the_standard_library(tmp_path):
    signed = tmp_path / "签章.ofd"
    with zipfile.ZipFile(signed, "w") as package:
        package.writestr("OFD.xml", "<ofd:OFD/>")
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
        package.writestr("Doc_0/Pages/Page_0/Content.xml", "<ofd:Page/>")
        package.writestr("Doc_0/Pages/Page_1/Content.xml", "<ofd:Page/>")
        package.writestr("Doc_0/Signs/Signatures.xml", "<ofd:Signatures/>")
    info = check_ofd(signed)
    assert (info.pages, info.signed, info.ok) == (2, True, True)
    not_ofd = tmp_path / "假.ofd"
    not_ofd.write_bytes(b"PK\x03\x04 broken")
    assert check_ofd(not_ofd).error.startswith("OFD 文件已损坏")


def test_long_folder_names_are_cut_between_words_keeping_the_id():
    from handbook.outputs.package.layout import short_label

    assert short_label("01.4", "政府绩效考核中的爱国卫生指标及考核结果", 23) == ("01.4-政府绩效考核中的爱国卫生指标及考核", True)
    assert short_label("03.1", "年度工作计划", 23) == ("03.1-年度工作计划", False)
