"""The review package in three parts, read back the way the office, a reviewer or a CI job would: zips,
manifests, workbooks, PDFs (pypdf: text, pages, bookmarks).

The Archive is built directly from model.py dataclasses over real small files in tmp_path, so these tests do
not depend on the loader or scanner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import hashlib
import io
import re
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fpdf import FPDF
from pathvalidate import is_valid_filename
from PIL import Image
from pypdf import PdfReader, PdfWriter

from handbook.outputs import package as pkg
from handbook.model import (
    Archive,
    Assignment,
    Category,
    Cell,
    EvidenceFile,
    IndicatorResult,
    IndicatorValue,
    Item,
    Kind,
    Level,
    Material,
    Plan,
    Problem,
    Project,
    Rule,
    RuleKind,
    Sidecar,
    Slot,
    Standard,
    Status,
    Unit,
    Verdict,
    Where,
)
from handbook.outputs.package import fonts, layout, zipper
from handbook.outputs.package.indexes import CATALOG_COLUMNS
from handbook.outputs.package.volumes import EMPTY_ROW

CITY = "登封市"
YEAR = 2026
LONG_TITLE = "关于印发登封市创建国家卫生城市长效管理工作实施方案及责任分工和考核细则的通知" * 2
EQUALS_TITLE = "=SUM(A1)年度总结"


# --------------------------------------------------------------------------- building a small archive


def make_pdf(path: Path, pages: int, label: str = "page") -> None:
    pdf = FPDF()
    for number in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=24)
        pdf.cell(text=f"{label} {number + 1}")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


def make_encrypted_pdf(path: Path) -> None:
    buffer = io.BytesIO()
    make_pdf(path, 1)
    writer = PdfWriter(clone_from=str(path))
    writer.encrypt("secret", algorithm="AES-128")
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())


def make_rotated_jpeg(path: Path) -> None:
    """Pixels stored landscape (400×200) with EXIF orientation 6: upright it is portrait."""
    image = Image.new("RGB", (400, 200), (30, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif.tobytes())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def material(mid: str, title: str, slot: str | None = None, per_year: bool = False) -> Material:
    return Material(id=mid, item=int(mid.split(".")[0]), title=title, complete_when=f"{title}：正式文件，盖章",
                    per_year=per_year, per_unit=False, formats=("pdf",), seal=True, slot=slot)


def make_standard(slot_title_extra: str = "") -> Standard:
    items = {
        1: Item(1, "组织领导与规范性文件", "将爱国卫生工作纳入……", 1,
                materials=[material("01.1", "爱国卫生工作规范性文件", "regulations"), material("01.2", "政府工作报告")]),
        3: Item(3, "爱国卫生工作计划与总结", "有爱国卫生工作年度计划和总结……", 1,
                materials=[material("03.1", "年度工作计划", "work-plan", True),
                           material("03.2", "年度工作总结", "work-report", True)]),
        45: Item(45, "病媒生物防制", "病媒生物防制工作……", 7, materials=[material("45.1", "病媒监测人员名单")]),
    }
    categories = [Category(1, "一", "爱国卫生组织管理", (1, 3)), Category(7, "七", "疾病防控与医疗卫生服务", (45,))]
    both = (Kind.CITY, Kind.COUNTY)
    slot_list = [
        Slot("recommendation", "爱卫会推荐报告", both, 1),
        Slot("work-report", "工作汇报", both, 2),
        Slot("work-plan", "工作计划", both, 3),
        Slot("regulations", "爱国卫生工作法规或规范性文件" + slot_title_extra, both, 5),
        Slot("maps", "城市规划图和交通图", both, 10, county_title="辖区规划图和交通图"),
    ]
    return Standard(categories=categories, items=items, indicators={}, slots={s.key: s for s in slot_list})


def make_plan(kind: Kind = Kind.CITY) -> Plan:
    units = {
        name: Unit(name=name, slug=slug)
        for name, slug in (("市政府办", "zfb"), ("市爱卫办", "awb"), ("市卫健委", "wjw"), ("市疾控中心", "cdc"))
    }
    return Plan(
        city=CITY, kind=kind, review_year=YEAR, window=(2023, 2024, 2025, 2026), today=dt.date(2026, 8, 1),
        units=units, groups={}, assignments={1: Assignment(1, ("市政府办",), ("市政府办",))}, stages=[],
        deadline_completed_years=dt.date(2026, 6, 30), deadline_current_year=dt.date(2026, 12, 31),
        alias_index={n: n for n in units},
    )


def add_file(root: Path, rel: str, *, item, mat, years, unit, title, filetype, pages=None, sidecar=None,
             problems=None, writer=None) -> EvidenceFile:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if writer is not None:
        writer(path)
    stat = path.stat()
    return EvidenceFile(path=rel, size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha256=sha256(path),
                        crc32=zlib.crc32(path.read_bytes()), filetype=filetype, item=item, material=mat, years=years, unit=unit, unit_raw=unit or "",
                        title=title, pages=pages, sidecar=sidecar, problems=problems or [])


def make_archive(tmp: Path, *, indicators: bool = False, kind: Kind = Kind.CITY) -> Archive:
    root = tmp / "project"
    evidence = root / "evidence"
    plan_dir = "03/03.1-年度工作计划"
    report_dir = "03/03.2-年度工作总结"
    files = [
        add_file(evidence, f"{plan_dir}/2023-市爱卫办-登封市2023年爱国卫生工作计划.pdf", item=3, mat="03.1",
                 years=(2023,), unit="市爱卫办", title="登封市2023年爱国卫生工作计划", filetype="pdf", pages=2,
                 writer=lambda p: make_pdf(p, 2, "plan 2023")),
        add_file(evidence, f"{plan_dir}/2025-市爱卫办-登封市2025年爱国卫生工作计划.pdf", item=3, mat="03.1",
                 years=(2025,), unit="市爱卫办", title="登封市2025年爱国卫生工作计划", filetype="pdf", pages=3,
                 writer=lambda p: make_pdf(p, 3, "plan 2025")),
        add_file(evidence, f"{plan_dir}/2024-市爱卫办-爱国卫生月部署会照片.jpg", item=3, mat="03.1", years=(2024,),
                 unit="市爱卫办", title="爱国卫生月部署会照片", filetype="jpg", writer=make_rotated_jpeg),
        add_file(evidence, f"{plan_dir}/2024-市爱卫办-工作计划附表.docx", item=3, mat="03.1", years=(2024,),
                 unit="市爱卫办", title="工作计划附表", filetype="docx",
                 writer=lambda p: p.write_bytes(b"PK\x03\x04 not really a docx")),
        add_file(evidence, f"{report_dir}/2024-市爱卫办-损坏的工作总结.pdf", item=3, mat="03.2", years=(2024,),
                 unit="市爱卫办", title="损坏的工作总结", filetype="pdf",
                 writer=lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj <<>> truncated")),
        add_file(evidence, f"{report_dir}/2023-市爱卫办-加密的工作总结.pdf", item=3, mat="03.2", years=(2023,),
                 unit="市爱卫办", title="加密的工作总结", filetype="pdf", writer=make_encrypted_pdf),
        add_file(evidence, f"{report_dir}/2025-市爱卫办-{EQUALS_TITLE}.pdf", item=3, mat="03.2", years=(2025,),
                 unit="市爱卫办", title=EQUALS_TITLE, filetype="pdf", pages=1,
                 writer=lambda p: make_pdf(p, 1, "report 2025")),
        add_file(evidence, "01/01.1-规范性文件/2022至2024-市政府办-关于加强爱国卫生工作的意见.pdf", item=1, mat="01.1",
                 years=(2022, 2023, 2024), unit="市政府办", title="关于加强爱国卫生工作的意见", filetype="pdf",
                 pages=2, sidecar=Sidecar(doc_number="登政〔2022〕8号", also_for=("45.1",)),
                 writer=lambda p: make_pdf(p, 2, "rule")),
        add_file(evidence, f"01/01.2-政府工作报告/2024-市卫健委-{LONG_TITLE}.pdf", item=1, mat="01.2", years=(2024,),
                 unit="市卫健委", title=LONG_TITLE, filetype="pdf", pages=1, writer=lambda p: make_pdf(p, 1)),
        add_file(evidence, f"01/01.2-政府工作报告/2025-市卫健委-{LONG_TITLE}.pdf", item=1, mat="01.2", years=(2025,),
                 unit="市卫健委", title=LONG_TITLE, filetype="pdf", pages=1, writer=lambda p: make_pdf(p, 1)),
        add_file(evidence, "01/01.2-政府工作报告/2024-市卫健委-CON.pdf", item=1, mat="01.2", years=(2024,),
                 unit="市卫健委", title="关于<印发>方案:的通知?", filetype="pdf", pages=1, writer=lambda p: make_pdf(p, 1)),
        add_file(evidence, "45/45.1-病媒监测人员名单/2024-市疾控中心-病媒监测人员名单.xlsx", item=45, mat="45.1",
                 years=(2024,), unit="市疾控中心", title="病媒监测人员名单", filetype="xlsx",
                 sidecar=Sidecar(restricted=True), writer=lambda p: p.write_bytes(b"PK\x03\x04 personal data")),
        add_file(evidence, "杂项/说明 文件.txt", item=None, mat=None, years=(), unit=None, title="", filetype="unknown",
                 problems=[Problem("bad-name", "文件不在条目文件夹内", "移到对应条目的资料文件夹", Level.ERROR)],
                 writer=lambda p: p.write_text("随手放的说明", encoding="utf-8")),
    ]
    cells = [
        Cell(3, "03.1", 2026, None, Status.MISSING, deadline=dt.date(2026, 12, 31), owner="市爱卫办"),
        Cell(3, "03.2", 2026, None, Status.MISSING, deadline=dt.date(2026, 12, 31), owner="市爱卫办"),
        Cell(1, "01.2", 2023, None, Status.OVERDUE, deadline=dt.date(2026, 6, 30), owner="市卫健委"),
        Cell(45, "45.1", None, None, Status.OVERDUE, deadline=dt.date(2026, 6, 30), owner="市疾控中心"),
        Cell(3, "03.1", 2023, None, Status.COLLECTED, owner="市爱卫办"),
    ]
    project = Project(root=root, standard=make_standard(), plan=make_plan(kind))
    archive = Archive(project=project, files=files, cells=cells, evidence_root=evidence)
    if indicators:
        rule = Rule(RuleKind.THRESHOLD, op=">=", value=90, unit="%")
        values = {y: IndicatorValue(1, y, v, "%", f"{v}%", source="统计公报", reporter="市统计局")
                  for y, v in ((2023, 91.0), (2024, 92.5), (2025, 93.1))}
        archive.indicators = {1: IndicatorResult(1, True, "≥90%", rule, (2023, 2024, 2025), values, Verdict.PASS,
                                                 "2025年 93.1% ≥ 90%", owner="市统计局")}
    return archive


@pytest.fixture(autouse=True)
def no_office_converter(monkeypatch):
    """Tests must not depend on LibreOffice being installed (test_package_convert.py runs the real one)."""
    monkeypatch.setattr(pkg, "find_converter", lambda: None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build shared by the read-only tests (keeps the suite fast)."""
    tmp = tmp_path_factory.mktemp("pkg")
    archive = make_archive(tmp)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pkg, "find_converter", lambda: None)
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        result = pkg.build_package(archive, tmp / "out", progress=lambda *a: None)
    return archive, result


def build(archive, out: Path, **kwargs):
    return pkg.build_package(archive, out, progress=lambda *a: None, **kwargs)


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def read_sums(zf: zipfile.ZipFile, root: str) -> dict[str, str]:
    text = zf.read(f"{root}/SHA256SUMS").decode("utf-8")
    pairs = (line.split("  ", 1) for line in text.splitlines())
    return {f"{root}/{path}": digest for digest, path in pairs}


def slot_reader(zf: zipfile.ZipFile, result, key: str, part: int = 0) -> PdfReader:
    slot = next(s for s in result.slots if s.key == key)
    return PdfReader(io.BytesIO(zf.read(slot.files[part].package_path)))


def internal_sheet(result, sheet: str) -> pd.DataFrame:
    return pd.read_excel(result.internal_files["内部清单.xlsx"], sheet_name=sheet, dtype=str).fillna("")


# --------------------------------------------------------------------------- three zips, each for its reader


def test_three_zips_named_for_city_and_year(built):
    _, result = built
    assert [p.zip_name for p in result.parts] == [
        "1-上传资料-登封市-2026.zip", "2-评审资料-登封市-2026.zip", "3-内部清单-登封市-2026.zip"]
    for part in result.parts:
        with zipfile.ZipFile(part.zip_path) as zf:
            assert zf.testzip() is None  # every CRC checks out
            listed = zf.namelist()
        assert listed == sorted(listed) and len(listed) == part.entries
        assert all(n.startswith(f"{part.root}/") for n in listed)
        assert hashlib.sha256(part.zip_path.read_bytes()).hexdigest() == part.sha256
    assert [p.publishable for p in result.parts] == [True, True, False]


def test_upload_part_holds_only_the_slot_pdfs(built):
    _, result = built
    # Exactly one PDF per generated slot, in the system's order and naming; no README, no index, no folder.
    assert names(result.upload.zip_path) == [
        "上传资料-登封市-2026/02-工作汇报.pdf",
        "上传资料-登封市-2026/03-工作计划.pdf",
        "上传资料-登封市-2026/04-爱国卫生工作法规或规范性文件.pdf",
    ]


def test_review_part_every_sum_matches_and_only_pdf_for_evidence(built):
    _, result = built
    with zipfile.ZipFile(result.review.zip_path) as zf:
        sums = read_sums(zf, result.review.root)
        listed = zf.namelist()
        assert set(listed) - set(sums) == {f"{result.review.root}/SHA256SUMS"}
        for name, digest in sums.items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest, name
    evidence = [n for n in listed if "/分项佐证/" in n]
    assert {Path(n).suffix for n in evidence} == {".pdf"}  # the docx failed (no LibreOffice), the xlsx is restricted
    assert not any("病媒监测人员名单" in n or "说明 文件" in n for n in listed)
    top = sorted(n.split("/", 1)[1] for n in listed if n.count("/") == 1)
    assert top == ["README.txt", "SHA256SUMS", "卷内目录.pdf", "卷内目录.xlsx", "总目录.xlsx"]
    assert "缺失资料清单.xlsx" not in " ".join(listed)


def test_internal_part_holds_the_missing_list_and_is_never_published(built):
    _, result = built
    listed = names(result.internal.zip_path)
    assert listed == ["内部清单-登封市-2026/内部清单.xlsx", "内部清单-登封市-2026/缺失资料清单.xlsx"]
    assert "缺失资料清单.xlsx" not in result.published and "内部清单.xlsx" not in result.published
    assert set(result.published) == {"1-上传资料-登封市-2026.zip", "总目录.xlsx", "卷内目录.pdf", "卷内目录.xlsx",
                                     "SHA256SUMS", "README.txt"}
    assert set(result.internal_files) == {"内部清单.xlsx", "缺失资料清单.xlsx"}


def test_chinese_names_carry_utf8_flag_and_fixed_dates(built):
    _, result = built
    with zipfile.ZipFile(result.review.zip_path) as zf:
        infos = zf.infolist()
    assert all(i.flag_bits & 0x800 for i in infos if not i.filename.isascii())
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    stored = {i.filename.rsplit(".", 1)[-1]: i.compress_type for i in infos}
    assert stored["pdf"] == zipfile.ZIP_STORED and stored["txt"] == zipfile.ZIP_DEFLATED


def test_paths_are_short_and_windows_safe(built):
    _, result = built
    for part in result.parts:
        listed = names(part.zip_path)
        assert all(len(name) < 150 for name in listed), max(listed, key=len)
        for name in listed:
            for piece in name.split("/"):
                assert is_valid_filename(piece, platform="windows"), piece
        assert len({n.lower() for n in listed}) == len(listed)
    long_ones = [n for n in names(result.review.zip_path) if "/01.2-" in n and "关于印发" in n]
    assert len(long_ones) == 2 and all(n.endswith(".pdf") for n in long_ones)


def test_review_layout_numbered_per_item_and_material(built):
    _, result = built
    listed = names(result.review.zip_path)
    root = result.review.root
    assert (f"{root}/分项佐证/1-爱国卫生组织管理/03-爱国卫生工作计划与总结/03.1-年度工作计划/"
            "03.1-01-2023-市爱卫办-登封市2023年爱国卫生工作计划.pdf") in listed
    # The one photo of 2024 became a captioned PDF named like the photo, not kept as a .jpg.
    assert f"{root}/分项佐证/1-爱国卫生组织管理/03-爱国卫生工作计划与总结/03.1-年度工作计划/" \
           "03.1-02-2024-市爱卫办-爱国卫生月部署会照片.pdf" in listed
    assert any(n.endswith("/01.1-01-2022至2024-市政府办-关于加强爱国卫生工作的意见.pdf") for n in listed)


# --------------------------------------------------------------------------- part 2: the indexes


def test_catalog_has_a_row_per_document(built):
    _, result = built
    catalog = pd.read_excel(result.published["总目录.xlsx"], sheet_name="总目录", dtype=str).fillna("")
    assert list(catalog.columns) == list(CATALOG_COLUMNS)
    assert len(catalog) == result.review_docs == 10
    with zipfile.ZipFile(result.review.zip_path) as zf:
        sums = read_sums(zf, result.review.root)
    for _, row in catalog.iterrows():
        assert sums[f"{result.review.root}/{row['包内路径']}"] == row["SHA-256"]
    remark = dict(zip(catalog["标题"], catalog["说明"], strict=True))
    assert remark["爱国卫生月部署会照片"] == "由照片转换（注明标题、单位、日期）"
    assert remark["登封市2023年爱国卫生工作计划"] == ""
    assert catalog.loc[catalog["标题"] == "关于加强爱国卫生工作的意见", "文号"].item() == "登政〔2022〕8号"
    assert set(catalog["项"]) == {"第 1 项 组织领导与规范性文件", "第 3 项 爱国卫生工作计划与总结"}


def test_title_starting_with_equals_stays_text(built):
    _, result = built
    sheet = openpyxl.load_workbook(result.published["总目录.xlsx"])["总目录"]
    cells = [row[5] for row in sheet.iter_rows(min_row=2) if str(row[5].value).startswith("=")]
    assert [c.value for c in cells] == [EQUALS_TITLE]
    assert cells[0].data_type == "s"


def test_volume_index_sheet_per_item_and_printable_pdf(built):
    archive, result = built
    with zipfile.ZipFile(result.review.zip_path) as zf:
        book = pd.read_excel(io.BytesIO(zf.read(f"{result.review.root}/卷内目录.xlsx")), sheet_name=None)
        volumes_pdf = PdfReader(io.BytesIO(zf.read(f"{result.review.root}/卷内目录.pdf")))
    assert len(book) == len(archive.project.standard.items)
    item45 = next(df for name, df in book.items() if name.startswith("45-"))
    # The shared file (01.1, also for 45.1) is listed in item 45's volume too; the restricted 名单 is not there.
    assert list(item45["题名"]) == ["关于加强爱国卫生工作的意见"]
    assert "与第 1 项共用" in item45["备注"].item()
    item03 = next(df for name, df in book.items() if name.startswith("03-"))
    assert list(item03["页号"].dropna())[:2] == ["1-2", "3"]  # 2023 plan (2 pages), then the 2024 photo
    text = "".join(page.extract_text() for page in volumes_pdf.pages)
    assert "卷 内 目 录" in text and "第 3 项　爱国卫生工作计划与总结" in text and "第3条" not in text
    fonts_used = [f for page in volumes_pdf.pages for f in page["/Resources"]["/Font"].values()]
    descriptor = fonts_used[0].get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    assert "/FontFile2" in descriptor  # the Chinese font is embedded


def test_an_item_without_files_gets_one_line_saying_so(tmp_path):
    archive = make_archive(tmp_path)
    archive.project.standard.items[44] = Item(44, "病媒防制设施", "……", 7, materials=[material("44.1", "防鼠设施清单")])
    result = build(archive, tmp_path / "out")
    with zipfile.ZipFile(result.review.zip_path) as zf:
        book = pd.read_excel(io.BytesIO(zf.read(f"{result.review.root}/卷内目录.xlsx")), sheet_name=None, dtype=str)
        volumes_pdf = PdfReader(io.BytesIO(zf.read(f"{result.review.root}/卷内目录.pdf")))
    item44 = next(df for name, df in book.items() if name.startswith("44-")).fillna("")
    assert list(item44["题名"]) == [EMPTY_ROW] == ["本项暂无可供评审的佐证材料"] and list(item44["序号"]) == [""]
    page = next(p.extract_text() for p in volumes_pdf.pages if "第 44 项" in p.extract_text())
    assert EMPTY_ROW in page and "共 0 件" in page


def test_workbooks_print_on_a4_with_headers(built):
    _, result = built
    for book in (result.published["总目录.xlsx"], result.internal_files["缺失资料清单.xlsx"]):
        sheet = openpyxl.load_workbook(book).worksheets[0]
        assert CITY in (sheet.oddHeader.center.text or ""), book
        assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$1:$1"


def test_missing_list_grouped_by_unit(built):
    _archive, result = built
    missing = pd.read_excel(result.internal_files["缺失资料清单.xlsx"], sheet_name="缺失资料清单", dtype=str)
    assert len(missing) == 4
    assert list(missing["责任单位"]) == ["市爱卫办", "市爱卫办", "市卫健委", "市疾控中心"]
    assert set(missing["状态"]) == {"缺失", "逾期"}
    assert set(missing.loc[missing["状态"] == "逾期", "逾期天数"]) == {"32"}  # 2026-06-30 → 2026-08-01


def test_reviewer_readme_is_plain_and_says_how_to_check(built):
    _, result = built
    readme = result.published["README.txt"].read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf") and b"\r\n" in readme  # Notepad-friendly
    text = readme.decode("utf-8-sig")
    assert "分项佐证/" in text and "卷内目录.pdf" in text and "Get-FileHash -Algorithm SHA256" in text
    assert "sha256sum -c SHA256SUMS" in text and "由 Word 转换" in text
    for machine_note in ("LibreOffice", "soffice", "git", "未提交", "本机"):
        assert machine_note not in text, machine_note
    assert "数据评价指标.xlsx" not in text  # none in this build


def test_indicator_workbook_when_results_exist(tmp_path):
    result = build(make_archive(tmp_path, indicators=True), tmp_path / "out")
    assert result.indicators_included
    sheet = pd.read_excel(result.published["数据评价指标.xlsx"], dtype=str)
    assert list(sheet.columns) == ["序号", "指标", "目标值", "2023年", "2024年", "2025年", "判定", "理由", "责任单位",
                                   "计量单位", "数据来源"]
    assert sheet.iloc[0]["判定"] == "达标" and sheet.iloc[0]["2024年"] == "92.5%"
    assert "数据评价指标.xlsx" in names(result.review.zip_path)[-1] or any(
        n.endswith("/数据评价指标.xlsx") for n in names(result.review.zip_path))


# --------------------------------------------------------------------------- part 1: upload slots


def test_slot_pdfs_merge_newest_first_with_bookmarks(built):
    _, result = built
    by_key = {s.key: s for s in result.slots}
    with zipfile.ZipFile(result.upload.zip_path) as zf:
        plan = slot_reader(zf, result, "work-plan")
        titles = [o.title for o in plan.outline]
        assert titles == ["2025 市爱卫办 登封市2025年爱国卫生工作计划", "2024 市爱卫办 爱国卫生月部署会照片",
                          "2023 市爱卫办 登封市2023年爱国卫生工作计划"]
        assert len(plan.pages) == 3 + 1 + 2 == by_key["work-plan"].pages
        assert [plan.get_destination_page_number(o) for o in plan.outline] == [0, 3, 4]
        photo = plan.pages[3]
        assert (round(float(photo.mediabox.width)), round(float(photo.mediabox.height))) == (595, 842)  # EXIF 6
        caption = photo.extract_text()
        assert "爱国卫生月部署会照片" in caption and "市爱卫办" in caption and "2024" in caption
        report = slot_reader(zf, result, "work-report")
        assert len(report.pages) == 1 and len(report.outline) == 1
        assert len(slot_reader(zf, result, "regulations").pages) == 2


def test_corrupt_and_encrypted_pdfs_are_reported_not_merged(built):
    _, result = built
    report = next(s for s in result.slots if s.key == "work-report")
    messages = {p.place.file.rsplit("/", 1)[-1]: p.message for p in report.problems}
    assert set(messages) == {"2024-市爱卫办-损坏的工作总结.pdf", "2023-市爱卫办-加密的工作总结.pdf"}
    assert messages["2023-市爱卫办-加密的工作总结.pdf"] == "PDF 设有打开密码"
    assert {p.code: p.fix for p in report.problems}["pdf-encrypted"] == "请提交未加密的 PDF"
    assert report.status == "已生成" and report.documents == [f"2025 市爱卫办 {EQUALS_TITLE}"]
    left = internal_sheet(result, "未放入的文件")
    assert left["未放入"].str.contains("上传资料《工作汇报》").sum() == 2


def test_missing_slots_listed_not_produced(built):
    _, result = built
    assert [s.title for s in result.missing_slots] == ["爱卫会推荐报告", "城市规划图和交通图"]
    assert not any("爱卫会推荐报告" in n for n in names(result.upload.zip_path))
    slots = internal_sheet(result, "上传栏目")
    assert list(slots.loc[slots["状态"] == "缺失", "栏目"]) == ["爱卫会推荐报告", "城市规划图和交通图"]


def test_failed_conversion_is_a_clear_entry_for_the_office(built):
    _, result = built
    assert [(c.evidence_path.rsplit("/", 1)[-1], c.family) for c in result.failed_conversions] == [
        ("2024-市爱卫办-工作计划附表.docx", "Word")]
    failed = internal_sheet(result, "转换失败")
    assert list(failed["文件（evidence/ 下）"]) == ["03/03.1-年度工作计划/2024-市爱卫办-工作计划附表.docx"]
    assert "未安装 LibreOffice" in failed["原因"].item() and "另存为 PDF" in failed["怎么改"].item()


def test_internal_list_names_restricted_and_left_out_files(built):
    _, result = built
    restricted = internal_sheet(result, "受限文件")
    assert list(restricted["文件（evidence/ 下）"]) == ["45/45.1-病媒监测人员名单/2024-市疾控中心-病媒监测人员名单.xlsx"]
    assert restricted["放入评审资料"].item().startswith("否")
    left = internal_sheet(result, "未放入的文件")
    reasons = dict(zip(left["文件（evidence/ 下）"], left["原因"], strict=False))
    assert reasons["杂项/说明 文件.txt"].startswith("待核：")
    assert reasons["45/45.1-病媒监测人员名单/2024-市疾控中心-病媒监测人员名单.xlsx"] == "受限文件（含个人信息）"
    problems = internal_sheet(result, "问题文件")
    assert list(problems["怎么改"]) == ["移到对应条目的资料文件夹"]


def test_slot_lacking_a_feeding_material_says_which(tmp_path):
    archive = make_archive(tmp_path)
    archive.project.standard.items[1].materials.append(material("01.3", "控烟规范性文件", "regulations"))
    result = build(archive, tmp_path / "out")
    regulations = next(s for s in result.slots if s.key == "regulations")
    assert regulations.status_text == "已生成（缺 01.3 控烟规范性文件）"
    slots = internal_sheet(result, "上传栏目")
    assert "已生成（缺 01.3 控烟规范性文件）" in list(slots["状态"])
    assert "已生成（缺 01\\.3 控烟规范性文件）" in pkg.render_page(result)


def test_review_year_slot_takes_only_the_review_years_document(tmp_path):
    archive = make_archive(tmp_path)
    report = archive.project.standard.items[3].materials[1]
    report.timing = "review_year"
    archive.files.append(add_file(
        archive.evidence_root, "03/03.2-年度工作总结/2026-市爱卫办-复审工作汇报.pdf", item=3, mat="03.2",
        years=(2026,), unit="市爱卫办", title="复审工作汇报", filetype="pdf", pages=1, writer=lambda p: make_pdf(p, 1)))
    result = build(archive, tmp_path / "out")
    slot = next(s for s in result.slots if s.key == "work-report")
    assert slot.documents == ["2026 市爱卫办 复审工作汇报"]  # not the 2025 report, nor the 2023 one
    assert slot.problems == []  # older years were never candidates


def test_big_slot_is_split_at_document_boundaries_each_with_bookmarks(tmp_path):
    archive = make_archive(tmp_path)
    archive.project.plan.max_file_mb = 1
    for n in range(4):
        archive.files.append(add_file(
            archive.evidence_root, f"03/03.1-年度工作计划/2024-市爱卫办-大文件{n}.pdf", item=3, mat="03.1",
            years=(2024,), unit="市爱卫办", title=f"大文件{n}", filetype="pdf", pages=1,
            writer=lambda p, n=n: big_pdf(p, n)))
    result = build(archive, tmp_path / "out")
    slot = next(s for s in result.slots if s.key == "work-plan")
    assert len(slot.files) >= 2
    stems = [Path(f.package_path).name for f in slot.files]
    assert stems[:2] == ["03-工作计划之一.pdf", "03-工作计划之二.pdf"]
    with zipfile.ZipFile(result.upload.zip_path) as zf:
        for number, part in enumerate(slot.files):
            assert zf.getinfo(part.package_path).file_size < 1024 * 1024
            reader = slot_reader(zf, result, "work-plan", number)
            assert [o.title for o in reader.outline] == part.documents and part.documents
    assert sum(len(f.documents) for f in slot.files) == 3 + 4  # every document once, none cut


def big_pdf(path: Path, seed: int) -> None:
    """A one-page PDF of about 400 KB (an incompressible image)."""
    pixels = bytes((seed * 7919 + i * 104729 + (i * i) % 977) % 256 for i in range(380 * 360 * 3))
    image = Image.frombytes("RGB", (380, 360), pixels)
    picture = path.with_suffix(".png")
    image.save(picture)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(picture), x=10, y=10, w=100)
    pdf.output(str(path))
    picture.unlink()


def test_restricted_files_reach_reviewers_only_when_the_plan_says_so(tmp_path):
    archive = make_archive(tmp_path)
    rule = next(f for f in archive.files if f.material == "01.1")
    rule.sidecar = Sidecar(doc_number="登政〔2022〕8号", also_for=("45.1",), restricted=True)
    archive.project.plan.restricted_to_reviewers = True
    result = build(archive, tmp_path / "out")
    assert next(s for s in result.slots if s.key == "regulations").missing  # never uploaded
    assert not any("关于加强爱国卫生工作的意见" in n for n in names(result.upload.zip_path))
    assert any("关于加强爱国卫生工作的意见" in n for n in names(result.review.zip_path))
    catalog = pd.read_excel(result.published["总目录.xlsx"], dtype=str).fillna("")
    assert "受限：含个人信息，仅供评审，勿公开" in catalog.loc[catalog["标题"] == "关于加强爱国卫生工作的意见", "说明"].item()
    assert result.restricted_files == 1 and not result.review.publishable
    assert "受限：含个人信息" in result.published["README.txt"].read_text(encoding="utf-8-sig")


def test_symlink_is_listed_but_its_target_never_packed(tmp_path):
    """A link committed into a slot material (as the scan records it: no hash, type "symlink") must not
    bring /etc/passwd, or anything else outside evidence/, into the package."""
    archive = make_archive(tmp_path)
    rel = "03/03.1-年度工作计划/2024-市爱卫办-链接.pdf"
    (archive.evidence_root / rel).symlink_to("/etc/passwd")
    archive.files.append(EvidenceFile(
        path=rel, size=0, mtime_ns=0, sha256="", filetype="symlink", item=3, material="03.1", years=(2024,),
        unit="市爱卫办", unit_raw="市爱卫办", title="链接",
        problems=[Problem("symlink", "符号链接", "提交文件本身", Level.ERROR, Where(rel))]))
    result = build(archive, tmp_path / "out")
    secret = Path("/etc/passwd").read_bytes()
    for part in result.parts:
        with zipfile.ZipFile(part.zip_path) as zf:
            assert not any("链接" in name for name in zf.namelist())
            assert all(secret not in zf.read(name) for name in zf.namelist())
    left = internal_sheet(result, "未放入的文件")
    assert "符号链接" in left.loc[left["文件（evidence/ 下）"] == rel, "原因"].item()


def test_county_uses_county_slot_titles(tmp_path):
    result = build(make_archive(tmp_path, kind=Kind.COUNTY), tmp_path / "out")
    assert "辖区规划图和交通图" in [s.title for s in result.missing_slots]


# --------------------------------------------------------------------------- reproducible, atomic, clear failures


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    archive = make_archive(tmp_path)
    first = build(archive, tmp_path / "a")
    second = build(archive, tmp_path / "b")
    for one, two in zip(first.outputs, second.outputs, strict=True):
        assert one.name == two.name and one.read_bytes() == two.read_bytes(), one.name

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 08:00 UTC+8
    dated = build(archive, tmp_path / "c")
    with zipfile.ZipFile(dated.review.zip_path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 1, 1, 8, 0, 0)}
        created = openpyxl.load_workbook(io.BytesIO(zf.read(f"{dated.root}/总目录.xlsx"))).properties.created
    assert created == dt.datetime(2026, 1, 1, 0, 0, 0)


def test_interrupted_build_keeps_previous_package(tmp_path):
    archive = make_archive(tmp_path)
    out = tmp_path / "out"
    first = build(archive, out)
    before = {p: p.read_bytes() for p in first.outputs}

    def explode(done_files, total_files, done_bytes, total_bytes):
        if done_files >= total_files // 2:
            raise KeyboardInterrupt  # e.g. Ctrl-C half-way through a zip

    archive.files[0].title = "改过的标题"  # a different build, so that a leak would show
    with pytest.raises(KeyboardInterrupt):
        pkg.build_package(archive, out, progress=explode)
    assert {p: p.read_bytes() for p in first.outputs} == before
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temp files left


def test_failed_verification_keeps_previous_package(tmp_path):
    archive = make_archive(tmp_path)
    out = tmp_path / "out"
    first = build(archive, out)
    before = first.review.zip_path.read_bytes()
    # A file that changes between the scan and the zip must stop the build, not slip in unverified.
    (archive.evidence_root / archive.files[0].path).write_bytes(b"%PDF-1.4 changed after the scan")
    archive.files[0].title = "another"
    with pytest.raises(zipper.PackageError, match="扫描后被修改"):
        build(archive, out)
    assert first.review.zip_path.read_bytes() == before


def test_disk_full_while_writing_a_zip_is_a_clear_chinese_message(tmp_path, monkeypatch, capsys):
    archive = make_archive(tmp_path)
    out = tmp_path / "out"
    first = build(archive, out)
    before = first.upload.zip_path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipper, "_copy_stored", full)
    archive.files[0].title = "改过的标题"
    with pytest.raises(zipper.PackageError) as caught:
        build(archive, out)
    message = str(caught.value)
    assert message.startswith("磁盘空间不足，材料包没有写完：写入 1-上传资料-登封市-2026.zip 时磁盘已满")
    assert "--out" in message and "上一版材料包保持不变" in message and "无法读取" not in message
    assert first.upload.zip_path.read_bytes() == before

    import handbook.pipeline as pipeline
    from handbook.commands import package as command

    monkeypatch.setattr(pipeline, "build_archive", lambda root, **kwargs: archive)
    code = command.run(argparse.Namespace(root=str(tmp_path), today=None, out=out))
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("打包失败：磁盘空间不足") and "Traceback" not in err


def test_disk_full_while_writing_a_workbook_names_the_file(tmp_path, monkeypatch):
    from handbook.outputs.package import internal

    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(internal, "write_internal", full)
    with pytest.raises(zipper.PackageError, match=r"^磁盘空间不足，材料包没有写完：写入 内部清单\.xlsx 时磁盘已满"):
        build(make_archive(tmp_path), tmp_path / "out")


def test_missing_cjk_font_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "_fc_list_faces", lambda: [])
    monkeypatch.setattr(fonts, "_KNOWN_PATHS", ())
    with pytest.raises(fonts.FontMissingError, match="fonts-wqy-microhei"):
        build(make_archive(tmp_path), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_progress_reports_files_and_bytes(tmp_path):
    calls = []
    result = pkg.build_package(make_archive(tmp_path), tmp_path / "out", progress=lambda *a: calls.append(a))
    assert calls[-1][0] == calls[-1][1] == result.internal.entries  # the last zip written is part 3
    lines = io.StringIO()
    printer = zipper.ConsoleProgress(stream=lines)
    printer(5, 10, 3_000_000, 6_000_000)
    printer(10, 10, 6_000_000, 6_000_000)
    assert "10/10 个文件" in lines.getvalue() and "MB" in lines.getvalue()


# --------------------------------------------------------------------------- names and the site page


def test_safe_names_keep_extension_and_budget():
    assert layout.safe_name("CON") == "CON_"
    assert layout.safe_name("a:b?c*") == "a_b_c_"
    assert layout.safe_name("名称. ") == "名称"
    long = layout.safe_name("中" * 120 + ".pdf")
    assert long.endswith(".pdf") and len(long) == 124  # pathvalidate alone would cut at 255 bytes
    assert layout.unique_names(["abcdef.pdf", "ABCDEF.pdf", "abcdef.pdf"]) == ["abcdef.pdf", "ABCD~2.pdf", "abcd~3.pdf"]
    assert layout.years_label((2022, 2023, 2024)) == "2022至2024" and layout.years_label(()) == "无年度"
    assert [layout.chinese_number(n) for n in (1, 2, 10, 12, 23)] == ["一", "二", "十", "十二", "二十三"]


def test_site_page_renders_hostile_names_inert(built):
    """A file name carrying a Markdown link and a unit with Markdown marks render as text on /package/."""
    import markdown

    _, result = built
    hostile = "2024-市民政局-[点我](javascript:alert(1)).docx"
    failed = pkg.result.Conversion(hostile, "Word", "", "登封*市*|A_B：已损坏", "重新导出")
    result.conversions.append(failed)
    result.notes.append("单位 登封*市*|A_B <b>x</b>")
    try:
        page = pkg.render_page(result)
    finally:
        result.conversions.remove(failed)
        result.notes.pop()
    html = markdown.markdown(page, extensions=["tables"])
    assert 'href="javascript' not in html and "<em>" not in html and "<b>" not in html
    assert "[点我](javascript:alert(1))" in html  # shown as the literal text of the name
    assert "登封*市*|A_B" in html


def test_site_page_links_only_what_may_be_published(built):
    _, result = built
    result.slots[0].title = "推荐<报告>"  # titles come from YAML: must not become HTML
    try:
        page = pkg.render_page(result)
        hidden = pkg.render_page(result, zip_location=".cache/handbook/package/2-评审资料-登封市-2026.zip")
    finally:
        result.slots[0].title = "爱卫会推荐报告"
    assert "推荐&lt;报告&gt;" in page and "推荐<报告>" not in page
    assert "(package/1-%E4%B8%8A%E4%BC%A0" in page and "(package/2-%E8%AF%84" in page  # parts 1 and 2
    assert "(package/3-" not in page and "(package/%E5%86%85%E9%83%A8" not in page  # never part 3
    assert "(package/SHA256SUMS)" in page
    assert "(package/2-%E8%AF%84" not in hidden and "不在站点提供（含 0 个受限文件）" in hidden
    for heading in ("1 上传资料", "2 评审资料", "3 内部清单", "## 上传栏目", "## 转换失败的文件"):
        assert heading in page, heading


def test_site_page_keeps_a_markdown_link_from_a_title_inert(built):
    """A value like "[见附件](missing-page.md)" once became a live link here and aborted every strict build."""
    _, result = built
    result.slots[0].title = "[见附件](missing-page.md)"
    try:
        page = pkg.render_page(result)
    finally:
        result.slots[0].title = "爱卫会推荐报告"
    assert r"\[见附件\]\(missing\-page\.md\)" in page and "](missing-page.md)" not in page


def test_summary_line_counts(built):
    _, result = built
    line = result.summary_line()
    assert line.startswith("材料包已生成：上传资料 3 个文件（3 个栏目，缺 2 个），评审资料 10 个文档，转换 0 个、失败 1 个")
    assert "缺失资料 4 项（其中逾期 2 项）" in line


def test_package_page_markdown_matches_golden(built):
    """The /package/ page as Markdown, compared with tests/golden/package/package.md (UPDATE_GOLDEN=1 rewrites)."""
    from support import check_golden

    _, result = built
    page = pkg.render_page(result)
    # The build's own figures that depend on the machine (zip sizes vary with the CJK font found) are masked.
    check_golden(Path(__file__).parent / "golden" / "package" / "package.md",
                 re.sub(r"\| \d+\\\.\d MB \|", "| N MB |", page))
