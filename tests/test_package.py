"""The review package, read back the way a reviewer or a CI job would: zip, manifests, workbooks, PDFs.

The Archive is built directly from model.py dataclasses over real small files in tmp_path, so these tests do
not depend on the loader or scanner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
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
)
from handbook.outputs.package import fonts, layout, slots as slots_module, zipper
from handbook.outputs.package.indexes import CATALOG_COLUMNS

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
    """Tests must not depend on LibreOffice being installed on the machine."""
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


def read_sums(zf: zipfile.ZipFile, root: str) -> dict[str, str]:
    text = zf.read(f"{root}/SHA256SUMS").decode("utf-8")
    pairs = (line.split("  ", 1) for line in text.splitlines())
    return {f"{root}/{path}": digest for digest, path in pairs}


def slot_reader(zf: zipfile.ZipFile, result, key: str) -> PdfReader:
    slot = next(s for s in result.slots if s.key == key)
    return PdfReader(io.BytesIO(zf.read(slot.package_path)))


# --------------------------------------------------------------------------- the zip and its manifest


def test_every_entry_matches_sha256sums(built):
    _archive, result = built
    with zipfile.ZipFile(result.zip_path) as zf:
        assert zf.testzip() is None  # every CRC checks out
        sums = read_sums(zf, result.root)
        names = zf.namelist()
        assert len(names) == result.entries == len(sums) + 1
        assert set(names) - set(sums) == {f"{result.root}/SHA256SUMS"}
        for name, digest in sums.items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest, name
    assert names == sorted(names)
    published = (result.zip_path.parent / "SHA256SUMS").read_text(encoding="utf-8")
    assert published.count("\n") == len(sums)


def test_chinese_names_carry_utf8_flag(built):
    _, result = built
    with zipfile.ZipFile(result.zip_path) as zf:
        chinese = [i for i in zf.infolist() if not i.filename.isascii()]
        assert chinese
        assert all(i.flag_bits & 0x800 for i in chinese)


def test_paths_are_short_and_windows_safe(built):
    _, result = built
    with zipfile.ZipFile(result.zip_path) as zf:
        names = zf.namelist()
    assert all(len(name) < 150 for name in names), max(names, key=len)
    for name in names:
        for part in name.split("/"):
            assert is_valid_filename(part, platform="windows"), part
    lowered = [n.lower() for n in names]
    assert len(set(lowered)) == len(lowered)
    # Long titles were cut but kept their extension and stayed distinct.
    long_ones = [n for n in names if "01.2-" in n.rsplit("/", 1)[-1] and "关于印发" in n]
    assert len(long_ones) == 2 and all(n.endswith(".pdf") for n in long_ones)


def test_renamed_per_material_and_nothing_left_out(built):
    archive, result = built
    with zipfile.ZipFile(result.zip_path) as zf:
        names = zf.namelist()
    evidence = [n for n in names if "/02-分项佐证/" in n]
    assert len(evidence) == len(archive.files)
    assert f"{result.root}/02-分项佐证/1-爱国卫生组织管理/03-爱国卫生工作计划与总结/03.1-年度工作计划/" \
           "03.1-01-2023-市爱卫办-登封市2023年爱国卫生工作计划.pdf" in names
    assert any(n.endswith("/01.1-01-2022至2024-市政府办-关于加强爱国卫生工作的意见.pdf") for n in names)
    assert any("/02-分项佐证/未归类/" in n for n in names)  # a stray file is packed, not dropped
    assert any(n.endswith("市疾控中心-病媒监测人员名单.xlsx") for n in names)  # restricted: included


def test_stored_and_deflated_by_type(built):
    _, result = built
    with zipfile.ZipFile(result.zip_path) as zf:
        for info in zf.infolist():
            suffix = Path(info.filename).suffix.lower()
            expected = zipfile.ZIP_STORED if suffix in {".pdf", ".jpg", ".xlsx", ".docx"} else zipfile.ZIP_DEFLATED
            assert info.compress_type == expected, info.filename
            assert info.date_time == (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- the indexes


def test_catalog_has_a_row_per_file(built):
    archive, result = built
    catalog = pd.read_excel(result.published["总目录.xlsx"], sheet_name="总目录", dtype=str)
    assert list(catalog.columns) == list(CATALOG_COLUMNS)
    assert len(catalog) == len(archive.files)
    with zipfile.ZipFile(result.zip_path) as zf:
        names = set(zf.namelist())
        sums = read_sums(zf, result.root)
    for _, row in catalog.iterrows():
        full = f"{result.root}/{row['包内路径']}"
        assert full in names
        assert sums[full] == row["SHA-256"]
    status = dict(zip(catalog["标题"], catalog["状态"], strict=True))
    assert "受限" in status["病媒监测人员名单"]
    assert "损坏" in status["损坏的工作总结"] and "未并入" in status["损坏的工作总结"]
    assert "密码" in status["加密的工作总结"]
    assert "转换" in status["工作计划附表"]
    assert status["登封市2023年爱国卫生工作计划"] == "已收集"
    assert catalog.loc[catalog["标题"] == "关于加强爱国卫生工作的意见", "文号"].item() == "登政〔2022〕8号"
    problems = pd.read_excel(result.published["总目录.xlsx"], sheet_name="问题")
    assert problems["问题"].str.contains("密码").any()


def test_title_starting_with_equals_stays_text(built):
    _, result = built
    sheet = openpyxl.load_workbook(result.published["总目录.xlsx"])["总目录"]
    cells = [row[5] for row in sheet.iter_rows(min_row=2) if str(row[5].value).startswith("=")]
    assert [c.value for c in cells] == [EQUALS_TITLE]
    assert cells[0].data_type == "s"


def test_volume_index_sheet_per_item_and_printable_pdf(built):
    archive, result = built
    with zipfile.ZipFile(result.zip_path) as zf:
        book = pd.read_excel(io.BytesIO(zf.read(f"{result.root}/卷内目录.xlsx")), sheet_name=None)
        volumes_pdf = PdfReader(io.BytesIO(zf.read(f"{result.root}/卷内目录.pdf")))
    assert len(book) == len(archive.project.standard.items)
    item45 = next(df for name, df in book.items() if name.startswith("45-"))
    # The shared file (01.1, also for 45.1) is listed in item 45's volume too.
    assert "关于加强爱国卫生工作的意见" in set(item45["题名"])
    item03 = next(df for name, df in book.items() if name.startswith("03-"))
    assert list(item03["页号"].dropna())[:2] == ["1-2", "3"]  # 2023 plan (2 pages), then the 2024 photo
    text = "".join(page.extract_text() for page in volumes_pdf.pages)
    assert "卷 内 目 录" in text and "爱国卫生工作计划与总结" in text
    fonts_used = [f for page in volumes_pdf.pages for f in page["/Resources"]["/Font"].values()]
    descriptor = fonts_used[0].get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    assert "/FontFile2" in descriptor  # the Chinese font is embedded


def test_workbooks_print_on_a4_with_headers(built):
    _, result = built
    for name in ("总目录.xlsx", "缺失资料清单.xlsx"):
        sheet = openpyxl.load_workbook(result.published[name]).worksheets[0]
        assert CITY in (sheet.oddHeader.center.text or ""), name  # a header Excel can parse
        assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$1:$1"


def test_missing_list_grouped_by_unit(built):
    archive, result = built
    missing = pd.read_excel(result.published["缺失资料清单.xlsx"], sheet_name="缺失资料清单", dtype=str)
    expected = [c for c in archive.cells if c.status in (Status.MISSING, Status.OVERDUE)]
    assert len(missing) == len(expected)
    units = list(missing["责任单位"])
    assert units == sorted(units, key=lambda u: list(archive.project.plan.units).index(u))
    assert set(missing["状态"]) == {"缺失", "逾期"}
    overdue = missing[missing["状态"] == "逾期"]
    assert set(overdue["逾期天数"]) == {"32"}  # 2026-06-30 → 2026-08-01
    assert (missing["截止日期"] != "").all()


def test_without_indicators_readme_says_so(built):
    _, result = built
    assert not result.indicators_included
    assert "数据评价指标.xlsx" not in result.published
    readme = result.published["README.txt"].read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf") and b"\r\n" in readme  # Notepad-friendly
    text = readme.decode("utf-8-sig")
    assert "未含 数据评价指标.xlsx" in text
    assert CITY in text and str(YEAR) in text and "非 git 检出" in text


def test_indicator_workbook_when_results_exist(tmp_path):
    result = pkg.build_package(make_archive(tmp_path, indicators=True), tmp_path / "out", progress=lambda *a: None)
    assert result.indicators_included
    sheet = pd.read_excel(result.published["数据评价指标.xlsx"], dtype=str)
    assert list(sheet.columns) == ["序号", "指标", "目标值", "2023年", "2024年", "2025年", "判定", "理由", "责任单位",
                                   "计量单位", "数据来源"]
    assert sheet.iloc[0]["判定"] == "达标" and sheet.iloc[0]["2024年"] == "92.5%"


# --------------------------------------------------------------------------- upload slots


def test_slot_pdfs_merge_newest_first_with_bookmarks(built):
    _archive, result = built
    by_key = {s.key: s for s in result.slots}
    with zipfile.ZipFile(result.zip_path) as zf:
        plan = slot_reader(zf, result, "work-plan")
        titles = [o.title for o in plan.outline]
        assert titles == ["2025 市爱卫办 登封市2025年爱国卫生工作计划", "2024 市爱卫办 爱国卫生月部署会照片",
                          "2023 市爱卫办 登封市2023年爱国卫生工作计划"]
        assert len(plan.pages) == 3 + 1 + 2 == by_key["work-plan"].pages
        assert [plan.get_destination_page_number(o) for o in plan.outline] == [0, 3, 4]
        photo = plan.pages[3]
        width, height = float(photo.mediabox.width), float(photo.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 portrait: EXIF orientation 6 was applied
        assert "爱国卫生月部署会照片" in photo.extract_text()  # the caption
        report = slot_reader(zf, result, "work-report")
        assert len(report.pages) == 1 and len(report.outline) == 1
        regulations = slot_reader(zf, result, "regulations")
        assert len(regulations.pages) == 2
        slot_pdfs = [n for n in zf.namelist() if "/01-上传资料/" in n and n.endswith(".pdf")]
    assert len(slot_pdfs) == len(result.generated_slots) == 3


def test_corrupt_and_encrypted_pdfs_are_reported_not_merged(built):
    _, result = built
    report = next(s for s in result.slots if s.key == "work-report")
    messages = {p.evidence_path.rsplit("/", 1)[-1]: p.message for p in report.problems}
    assert set(messages) == {"2024-市爱卫办-损坏的工作总结.pdf", "2023-市爱卫办-加密的工作总结.pdf"}
    assert "密码" in messages["2023-市爱卫办-加密的工作总结.pdf"]
    assert report.status == "已生成" and report.documents == [f"2025 市爱卫办 {EQUALS_TITLE}"]


def test_missing_slots_listed_not_produced(built):
    _, result = built
    assert [s.title for s in result.missing_slots] == ["爱卫会推荐报告", "城市规划图和交通图"]
    with zipfile.ZipFile(result.zip_path) as zf:
        names = zf.namelist()
    assert not any("爱卫会推荐报告" in n for n in names)
    catalog = pd.read_excel(result.published["总目录.xlsx"], sheet_name="上传资料", dtype=str)
    assert set(catalog.loc[catalog["状态"] == "缺失", "栏目"]) == {"爱卫会推荐报告", "城市规划图和交通图"}


def test_office_file_copied_and_listed_for_conversion(built):
    _, result = built
    assert [u.evidence_path.rsplit("/", 1)[-1] for u in result.needs_conversion] == ["2024-市爱卫办-工作计划附表.docx"]
    target = result.needs_conversion[0].package_path
    assert "/01-上传资料/03-工作计划-待转换PDF/" in target and target.endswith(".docx")
    assert "LibreOffice" in result.needs_conversion[0].reason
    with zipfile.ZipFile(result.zip_path) as zf:
        assert zf.read(target) == b"PK\x03\x04 not really a docx"


def test_symlink_is_listed_but_its_target_never_packed(tmp_path):
    """A link committed into a slot material (as the scan records it: no hash, type "symlink") must not
    bring /etc/passwd, or anything else outside evidence/, into the package."""
    archive = make_archive(tmp_path)
    rel = "03/03.1-年度工作计划/2024-市爱卫办-链接.pdf"
    (archive.evidence_root / rel).symlink_to("/etc/passwd")
    archive.files.append(EvidenceFile(
        path=rel, size=0, mtime_ns=0, sha256="", filetype="symlink", item=3, material="03.1", years=(2024,),
        unit="市爱卫办", unit_raw="市爱卫办", title="链接",
        problems=[Problem("symlink", f"{rel}：错误：符号链接", "提交文件本身", Level.ERROR)]))
    result = pkg.build_package(archive, tmp_path / "out", progress=lambda *a: None)
    secret = Path("/etc/passwd").read_bytes()
    with zipfile.ZipFile(result.zip_path) as zf:
        assert not any("链接" in name for name in zf.namelist())
        assert all(secret not in zf.read(name) for name in zf.namelist() if not name.endswith("/"))
    catalog = pd.read_excel(result.published["总目录.xlsx"], sheet_name="总目录", dtype=str).fillna("")
    row = catalog[catalog["标题"] == "链接"].iloc[0]
    assert row["包内路径"] == "" and "未放入材料包" in row["状态"] and "符号链接" in row["状态"]
    assert result.evidence_files == len(archive.files)  # listed, counted, not dropped


def test_county_uses_county_slot_titles(tmp_path):
    result = pkg.build_package(make_archive(tmp_path, kind=Kind.COUNTY), tmp_path / "out", progress=lambda *a: None)
    assert "辖区规划图和交通图" in [s.title for s in result.missing_slots]


def test_site_page_renders_hostile_names_inert(built):
    """A file name carrying a Markdown link and a unit with Markdown marks render as text on /package/."""
    import markdown

    _, result = built
    hostile = "2024-市民政局-[点我](javascript:alert(1)).pdf"
    problem = slots_module.SlotProblem(hostile, "登封*市*|A_B：PDF 已损坏")
    result.slots[0].problems.append(problem)
    result.notes.append("单位 登封*市*|A_B <b>x</b>")
    try:
        page = pkg.render_page(result)
    finally:
        result.slots[0].problems.remove(problem)
        result.notes.pop()
    html = markdown.markdown(page, extensions=["tables"])
    assert 'href="javascript' not in html and "<em>" not in html and "<b>" not in html
    assert "[点我](javascript:alert(1))" in html  # shown as the literal text of the name
    assert "登封*市*|A_B" in html


def test_converter_output_is_merged(tmp_path, monkeypatch):
    """With a converter present (simulated), an office file becomes pages of the slot PDF instead of a copy."""
    def fake_convert(self, source):
        target = self.staging / "converted.pdf"
        make_pdf(target, 4, "converted")
        return target

    monkeypatch.setattr(pkg, "find_converter", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(slots_module.SlotBuilder, "_convert", fake_convert)
    result = pkg.build_package(make_archive(tmp_path), tmp_path / "out", progress=lambda *a: None)
    plan = next(s for s in result.slots if s.key == "work-plan")
    assert plan.pages == 3 + 1 + 4 + 2 and len(plan.converted) == 1 and not result.needs_conversion
    catalog = pd.read_excel(result.published["总目录.xlsx"], dtype=str)
    assert "LibreOffice 转为 PDF" in catalog.loc[catalog["标题"] == "工作计划附表", "状态"].item()


# --------------------------------------------------------------------------- reproducible and atomic


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    archive = make_archive(tmp_path)
    first = pkg.build_package(archive, tmp_path / "a", progress=lambda *a: None)
    second = pkg.build_package(archive, tmp_path / "b", progress=lambda *a: None)
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()
    for name in first.published:
        assert first.published[name].read_bytes() == second.published[name].read_bytes(), name

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 08:00 UTC+8
    dated = pkg.build_package(archive, tmp_path / "c", progress=lambda *a: None)
    with zipfile.ZipFile(dated.zip_path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 1, 1, 8, 0, 0)}
        created = openpyxl.load_workbook(io.BytesIO(zf.read(f"{dated.root}/总目录.xlsx"))).properties.created
    assert created == dt.datetime(2026, 1, 1, 0, 0, 0)


def test_interrupted_build_keeps_previous_package(tmp_path):
    archive = make_archive(tmp_path)
    out = tmp_path / "out"
    first = pkg.build_package(archive, out, progress=lambda *a: None)
    before = first.zip_path.read_bytes()
    catalog_before = first.published["总目录.xlsx"].read_bytes()

    def explode(done_files, total_files, done_bytes, total_bytes):
        if done_files >= total_files // 2:
            raise KeyboardInterrupt  # e.g. Ctrl-C half-way through the zip

    archive.files[0].title = "改过的标题"  # a different build, so that a leak would show
    with pytest.raises(KeyboardInterrupt):
        pkg.build_package(archive, out, progress=explode)
    assert first.zip_path.read_bytes() == before
    assert first.published["总目录.xlsx"].read_bytes() == catalog_before
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temp files left


def test_failed_verification_keeps_previous_package(tmp_path, monkeypatch):
    archive = make_archive(tmp_path)
    out = tmp_path / "out"
    first = pkg.build_package(archive, out, progress=lambda *a: None)
    before = first.zip_path.read_bytes()
    # A file that changes between the scan and the zip must stop the build, not slip in unverified.
    (archive.evidence_root / archive.files[0].path).write_bytes(b"%PDF-1.4 changed after the scan")
    archive.files[0].title = "another"
    with pytest.raises(zipper.PackageError, match="扫描后被修改"):
        pkg.build_package(archive, out, progress=lambda *a: None)
    assert first.zip_path.read_bytes() == before


def test_missing_cjk_font_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "_fc_list_faces", lambda: [])
    monkeypatch.setattr(fonts, "_KNOWN_PATHS", ())
    with pytest.raises(fonts.FontMissingError, match="fonts-wqy-microhei"):
        pkg.build_package(make_archive(tmp_path), tmp_path / "out", progress=lambda *a: None)
    assert not (tmp_path / "out" / f"资料评估材料包-{CITY}-{YEAR}.zip").exists()


def test_progress_reports_files_and_bytes(tmp_path):
    calls = []
    result = pkg.build_package(make_archive(tmp_path), tmp_path / "out", progress=lambda *a: calls.append(a))
    assert calls[-1][0] == calls[-1][1] == result.entries
    assert calls[-1][2] == calls[-1][3] > 0
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


def test_site_page_links_and_escapes(built):
    _, result = built
    result.slots[0].title = "推荐<报告>"  # titles come from YAML: must not become HTML
    try:
        page = pkg.render_page(result)
    finally:
        result.slots[0].title = "爱卫会推荐报告"
    assert "推荐&lt;报告&gt;" in page and "推荐<报告>" not in page
    assert "(package/%E8%B5%84%E6%96%99" in page  # the zip, percent-encoded, relative
    assert "(package/SHA256SUMS)" in page
    # The render layer's environment escapes for Markdown too: the name shows as written once rendered.
    assert "待转换为 PDF 的文件" in page and r"2024\-市爱卫办\-工作计划附表\.docx" in page
    assert "城市规划图和交通图" in page
    assert "无法并入的文件" in page


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
    assert f"{result.entries} 个文件" in line
    assert "缺失资料 4 项" in line and "上传栏目缺 2 个" in line and "待转换 PDF 1 个" in line
    assert str(result.zip_path) in line


def test_command_packages_the_shipped_demo(tmp_path, capsys):
    """``python -m handbook package`` end to end on the demo."""
    from handbook.cli import main

    root = Path(__file__).resolve().parent.parent
    assert main(["--root", str(root), "package", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "材料包已生成" in out
    zips = list(tmp_path.glob("资料评估材料包-*.zip"))
    assert len(zips) == 1
    with zipfile.ZipFile(zips[0]) as zf:
        assert zf.testzip() is None
        assert all(len(n) < 150 for n in zf.namelist())
    assert {"总目录.xlsx", "缺失资料清单.xlsx", "卷内目录.pdf", "SHA256SUMS", "README.txt"} <= {p.name for p in tmp_path.iterdir()}
