"""Generate the demo evidence set of 登封市 under evidence/ (deterministic: same bytes on every run).

Usage:  .venv/bin/python tools/make_demo_evidence.py [--out evidence] [--font PATH]

What it writes follows the evidence contract (DESIGN.md §4): ``NN-label/NN.K-label/<year>-<unit>-<title>.<ext>``
with optional sidecars. About half of the required cells are filled (items 1–3 well, some items empty), and a
few deliberate contract breaks (see PROBLEMS) make the first build show every kind of problem.

It REPLACES everything under the output folder except indicators/ (another tool's): never run it on a real
archive with departments' files in it.
Everything random comes from ``random.Random(<material id>)`` and every date inside the files is fixed,
so two runs produce byte-identical output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import random
import shutil
import sys
import tempfile
import zipfile
from xml.sax.saxutils import escape as xml_escape
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from make_demo_findings import write_findings  # this script's folder is on sys.path

log = logging.getLogger("make_demo_evidence")
logging.getLogger("fontTools").setLevel(logging.WARNING)  # the subsetter logs every glyph at INFO

ROOT = Path(__file__).resolve().parents[1]
WINDOW = (2023, 2024, 2025, 2026)
FIXED_TIME = dt.datetime(2026, 1, 1, 8, 0, 0, tzinfo=dt.UTC)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
KEEP = {"indicators"}  # top-level folders owned by others: never touched

# Share of each item's cells the demo fills; items not listed use DEFAULT_FILL. 0 = left empty on purpose.
DEFAULT_FILL = 0.45
ITEM_FILL = {1: 0.9, 2: 0.8, 3: 0.75, 4: 0.7, 5: 0.6, 9: 0.6, 10: 0.6, 11: 0.0, 17: 0.2, 20: 0.0, 22: 0.7,
             26: 0.6, 31: 0.25, 32: 0.0, 36: 0.0, 44: 0.0, 45: 0.7}
PDF_SHARE = 0.3  # outside items 1–3, PDF-only materials are filled at this share of the item's rate
PER_UNIT_FILL = 0.3  # share of responsible units that handed in their own per-unit material

# 文号 prefixes of the issuing units (登封's usual abbreviations; the demo only needs them to look right).
DOC_PREFIX = {"市政府办": "登政办", "市爱卫办": "登爱卫", "市卫健委": "登卫", "市城管局": "登城管",
              "生态环境分局": "郑环登", "市市场监管局": "登市监", "市教育局": "登教", "市统计局": "登统",
              "市疾控中心": "登疾控", "市水利局": "登水", "市财政局": "登财"}
# Document bodies reuse the title and a few fixed phrases: every PDF embeds only the glyphs it uses, and a
# small character set keeps each file near 12–18 KB (the whole demo set must stay under 2 MB).
BODY = (
    "现将《{title}》印发给你们，请结合工作实际，认真贯彻落实。",
    "请各单位明确专人负责，按时报送资料。",
)


def body_for(spec: Spec) -> tuple[str, ...]:
    return (BODY[0].format(title=spec.title), BODY[1])


# --------------------------------------------------------------------------- the standard and the plan


@dataclass
class MaterialInfo:
    id: str
    item: int
    title: str
    per_year: bool
    per_unit: bool | str  # false, true, or a per-unit rule (streets, members)
    formats: tuple[str, ...]
    folder: str  # "03/03.1-…" relative to the evidence root
    timing: str = ""  # the checklist's time rule (review_year, once, …)


@dataclass
class Spec:
    """One file to write. ``kind``: pdf, jpg, png, xlsx, docx, raw."""

    path: str
    kind: str
    title: str
    unit: str
    year_text: str
    pages: int = 1
    sidecar: dict | None = None
    sidecar_comment: str = ""
    raw: bytes | None = None  # for kind "raw": the exact bytes
    exif_rotate: bool = False
    extra: dict = field(default_factory=dict)


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def clean_label(text: str) -> str:
    """A folder label safe on Windows and in URLs: no slashes, quotes or colons."""
    for ch in '/\\:*?"<>|“”':
        text = text.replace(ch, "")
    return text


def load_materials(root: Path) -> list[MaterialInfo]:
    items = {i["number"]: i for i in load_yaml(root / "standards/national/items.yml")["items"]}
    result = []
    for entry in load_yaml(root / "standards/national/checklists.yml")["checklists"]:
        number = entry["item"]
        item_folder = f"{number:02d}-{clean_label(items[number]['title'])}"
        for m in entry["materials"]:
            result.append(MaterialInfo(
                id=m["id"], item=number, title=m["title"], per_year=m["per_year"], per_unit=m["per_unit"],
                formats=tuple(m["formats"]), folder=f"{item_folder}/{m['id']}-{clean_label(m['title'])}",
                timing=m.get("timing", ""),
            ))
    return result


def load_suppliers(root: Path) -> dict[str, tuple[str, ...]]:
    """Material id → the unit(s) that owe it, exactly as the handbook decides (roles, suppliers, leads):
    the demo's files come from the units the site will chase for them."""
    sys.path.insert(0, str(root / "hooks"))
    from handbook.load.project import load_project

    project = load_project(root)
    if project.errors:
        raise SystemExit("standards/ 有错误，先运行 python -m handbook check 改正：\n" + "\n".join(map(str, project.errors)))
    return {mid: obligation.units for mid, obligation in project.plan.obligations.items()}


# --------------------------------------------------------------------------- choosing the files


def unit_for(material: MaterialInfo, suppliers: dict[str, tuple[str, ...]]) -> str:
    """The unit that hands in a city-level material: its supplier (市爱卫办 when the plan names none)."""
    return (suppliers.get(material.id) or ("市爱卫办",))[0]


def kind_for(material: MaterialInfo) -> str:
    """Ledgers and statistics come as spreadsheets, photos as JPEG, everything else as PDF."""
    if "xlsx" in material.formats:
        return "xlsx"
    if "jpg" in material.formats:
        return "jpg"
    return "pdf"


def file_title(material: MaterialInfo, year_text: str) -> str:
    title = material.title.replace("“", "").replace("”", "").removeprefix("年度")
    if material.per_year and "至" not in year_text:
        return f"登封市{year_text}年{title}"
    return f"登封市{title}"


def regular_specs(materials: list[MaterialInfo], suppliers: dict[str, tuple[str, ...]]) -> list[Spec]:
    specs: list[Spec] = []
    for material in materials:
        rng = random.Random(material.id)
        fill = ITEM_FILL.get(material.item, DEFAULT_FILL)
        if fill == 0.0 or material.id == "26.4":  # 26.4 is waived in the demo
            continue
        # PDFs cost ~15 KB each (embedded glyphs), spreadsheets and photos a third of that: outside the
        # well-kept 组织管理 items, fewer PDF documents and more ledgers and photos keep the set small.
        fill = fill * PDF_SHARE if kind_for(material) == "pdf" and material.item > 3 else min(1.0, fill + 0.2)
        if material.per_unit:
            specs += per_unit_specs(material, list(suppliers.get(material.id, ())), rng)
        elif not material.per_year:
            if rng.random() < fill:
                year = single_year(material, rng)
                specs.append(make_spec(material, year, unit_for(material, suppliers), rng))
        elif rng.random() < min(1.0, fill + 0.2):  # else: the material is not started at all
            specs += yearly_specs(material, unit_for(material, suppliers), fill, rng)
    return specs


def yearly_specs(material: MaterialInfo, unit: str, fill: float, rng: random.Random) -> list[Spec]:
    """A per-year material: ledgers often as one file for the completed years, the rest one file a year."""
    if kind_for(material) == "xlsx" and rng.random() < 0.7:
        specs = [make_spec(material, f"{WINDOW[0]}至{WINDOW[-2]}", unit, rng)]
        years: tuple[int, ...] = (WINDOW[-1],)
    else:
        specs, years = [], WINDOW
    for year in years:
        # Completed years are mostly in; the review year is still being collected.
        chance = fill + 0.3 if year < WINDOW[-1] else fill - 0.1
        if rng.random() < chance:
            specs.append(make_spec(material, str(year), unit, rng))
    return specs


def per_unit_specs(material: MaterialInfo, units: list[str], rng: random.Random) -> list[Spec]:
    specs = []
    for unit in units:
        if rng.random() >= PER_UNIT_FILL:
            continue
        years = [y for y in WINDOW if rng.random() < 0.5] if material.per_year else [single_year(material, rng)]
        for year in years:
            own = clean_label(material.title).removeprefix("各责任单位").removeprefix("本单位（辖区）").removeprefix("本单位")
            title = f"{unit}{year}年{own.removeprefix('年度')}" if material.per_year else f"{unit}{own}"
            specs.append(Spec(f"{material.folder}/{year}-{unit}-{title}.pdf", "pdf", title, unit, str(year)))
    return specs


def single_year(material: MaterialInfo, rng: random.Random) -> str:
    """The year of a one-document material: the review year's for 推荐报告-like ones, a year before the window
    for a one-off survey (it still counts), else one of the completed years."""
    if material.timing == "review_year":
        return str(WINDOW[-1])
    if material.timing == "once":
        return str(WINDOW[0] - 2)
    return str(rng.choice(WINDOW[:3]))


def make_spec(material: MaterialInfo, year: str, unit: str, rng: random.Random) -> Spec:
    kind = kind_for(material)
    title = file_title(material, year)
    if kind == "jpg":
        title += "现场照片"
        kind = "png" if rng.random() < 0.1 else "jpg"
    return Spec(path=f"{material.folder}/{year}-{unit}-{title}.{kind}", kind=kind, title=title, unit=unit,
                year_text=year, pages=1 + rng.randrange(3))


SIDECAR_DOC = """\
# 佐证材料附加信息（sidecar）：与同名文件放在一起，扩展名换成 .yml；所有字段都可以不写。
#   doc_number: 文号            doc_type: 类型（法规/规章/规范性文件/公文/其他）
#   issuer: 发文机关            issued: 发文日期（YYYY-MM-DD）   effective: 施行日期（YYYY-MM-DD）
#   pages: 页码（在本文件中的页码范围，如 3-7）
#   also_for: 同一文件还用于哪些材料（材料编号列表，如 ["03.4"]），不要复制文件
#   restricted: true 表示含个人信息，不在网站上公开（默认 false）
#   note: 备注
"""


def featured_specs(materials: list[MaterialInfo]) -> list[Spec]:
    """Hand-picked good files: formal documents with sidecars, a shared file, a multi-year ledger."""
    m = {x.id: x for x in materials}
    specs = [
        Spec(f"{m['01.1'].folder}/2023-市政府办-登封市爱国卫生工作管理办法.pdf", "pdf", "登封市爱国卫生工作管理办法",
             "市政府办", "2023", pages=3,
             sidecar={"doc_number": "登政办〔2023〕12号", "doc_type": "规范性文件", "issuer": "登封市人民政府办公室",
                      "issued": dt.date(2023, 3, 20), "effective": dt.date(2023, 5, 1), "pages": "1-3",
                      "note": "现行有效"},
             sidecar_comment=SIDECAR_DOC),
        # The review year's plan, issued early in the year (the local plan wants 03.1 by 2026-02-28).
        Spec(f"{m['03.1'].folder}/2026-市爱卫办-登封市2026年爱国卫生工作计划.pdf", "pdf", "登封市2026年爱国卫生工作计划",
             "市爱卫办", "2026", pages=2,
             sidecar={"doc_number": "登爱卫〔2026〕2号", "doc_type": "公文", "issuer": "登封市爱国卫生运动委员会办公室",
                      "issued": dt.date(2026, 2, 26)}),
        Spec(f"{m['03.3'].folder}/2023至2025-市政府办-登封市巩固国家卫生城市工作实施方案.pdf", "pdf",
             "登封市巩固国家卫生城市工作实施方案", "市政府办", "2023至2025", pages=2,
             sidecar={"doc_number": "登政办〔2023〕21号", "doc_type": "公文", "issuer": "登封市人民政府办公室",
                      "issued": dt.date(2023, 4, 10)}),
        # One meeting, two materials: the 爱卫会 plenary was also the year's deployment meeting.
        Spec(f"{m['02.3'].folder}/2024-市爱卫办-登封市爱卫会全体会议暨巩卫工作部署会材料.pdf", "pdf",
             "登封市爱卫会全体会议暨巩卫工作部署会材料", "市爱卫办", "2024", pages=3,
             sidecar={"doc_type": "其他", "also_for": ["03.4"], "note": "含会议通知、签到表、讲话、照片、纪要"}),
        # Personal data (names and mobile numbers): kept off the published site.
        Spec(f"{m['02.6'].folder}/2025-嵩阳街道-嵩阳街道社区爱国卫生工作人员名单.xlsx", "xlsx",
             "嵩阳街道社区爱国卫生工作人员名单", "嵩阳街道", "2025",
             sidecar={"restricted": True, "note": "含个人手机号码，仅供内部核对"}),
        Spec(f"{m['10.3'].folder}/2023至2025-市城管局-登封市市容秩序和卫生死角整治台账.xlsx", "xlsx",
             "登封市市容秩序和卫生死角整治台账", "市城管局", "2023至2025"),
        Spec(f"{m['03.7'].folder}/2024-市爱卫办-爱国卫生月活动照片.jpg", "jpg", "爱国卫生月活动照片",
             "市爱卫办", "2024", exif_rotate=True),
    ]
    return specs


def problem_specs(materials: list[MaterialInfo]) -> list[Spec]:
    """Deliberate contract breaks, one of each kind, so the first build shows them (see PROBLEMS)."""
    m = {x.id: x for x in materials}
    item3 = m["03.1"].folder.split("/")[0]
    item5 = m["05.1"].folder.split("/")[0]
    return [
        Spec(f"{m['03.2'].folder}/2024-登封市2024年爱国卫生工作总结.pdf", "pdf", "登封市2024年爱国卫生工作总结",
             "市爱卫办", "2024"),
        Spec(f"{m['10.2'].folder}/2024-市城官局-登封市2024年道路清扫保洁统计.xlsx", "xlsx",
             "登封市2024年道路清扫保洁统计", "市城管局", "2024"),
        Spec(f"{m['22.1'].folder}/2019-生态环境分局-登封市2019年环境质量公报.pdf", "pdf", "登封市2019年环境质量公报",
             "生态环境分局", "2019"),
        Spec(f"{item5}/2024-市统计局-登封市群众卫生状况满意度调查报告.pdf", "pdf", "登封市群众卫生状况满意度调查报告",
             "市统计局", "2024"),
        Spec(f"{item3}/03.90-其他材料/2025-市爱卫办-登封市巩卫工作简报汇编.pdf", "pdf", "登封市巩卫工作简报汇编",
             "市爱卫办", "2025"),
        Spec(f"{m['06.2'].folder}/2025-市卫健委-登封市2025年健康教育工作总结.pdf", "raw", "", "", "", raw=b""),
        # A photo renamed to .pdf: the content is PNG whatever the extension says.
        Spec(f"{m['15.1'].folder}/2024-市城管局-登封市公共厕所清单和等级台账.pdf", "png", "登封市公厕现场照片",
             "市城管局", "2024"),
        Spec(f"{m['45.3'].folder}/2024-市疾控中心-登封市2024年病媒生物密度监测报告.pdf", "pdf",
             "登封市2024年病媒生物密度监测报告", "市疾控中心", "2024", pages=2, extra={"truncate": True}),
        Spec(f"{m['01.3'].folder}/2025-市政府办-市政府常务会议研究爱国卫生工作纪要.pdf", "pdf",
             "市政府常务会议研究爱国卫生工作纪要", "市政府办", "2025",
             # 2025-13-01 is not a date and 审核人 is not a sidecar field: both must be reported.
             extra={"bad_sidecar": "doc_number: 登政纪〔2025〕7号\ndoc_type: 公文\nissued: 2025-13-01\n审核人: 张伟\n"}),
        Spec(f"{m['04.1'].folder}/2024-市卫健委-登封市健康影响评估制度.docx", "docx", "登封市健康影响评估制度",
             "市卫健委", "2024"),
        Spec(f"{m['01.6'].folder}/2023-市政府办-登封市巩固国家卫生城市工作汇报.pdf", "pdf", "登封市巩固国家卫生城市工作汇报",
             "市政府办", "2023"),
    ]


PROBLEMS = (
    "03.2 …/2024-登封市2024年爱国卫生工作总结.pdf — 文件名缺单位",
    "10.2 …/2024-市城官局-….xlsx — 单位写错（市城官局 → 市城管局）",
    "22.1 …/2019-生态环境分局-….pdf — 年度 2019 不在 2023–2026 范围内",
    "05-…/2024-市统计局-….pdf — 文件直接放在条目文件夹里，没有材料文件夹",
    "03-…/03.90-其他材料/… — 材料编号 03.90 不存在",
    "06.2 …/2025-市卫健委-….pdf — 空文件（0 字节）",
    "15.1 …/2024-市城管局-….pdf — 实际是 PNG 图片，扩展名改成了 .pdf",
    "45.3 …/2024-市疾控中心-….pdf — PDF 被截断，无法打开",
    "01.3 …/2025-市政府办-….yml — sidecar 有未知字段“审核人”和错误日期 2025-13-01",
    "04.1 …/2024-市卫健委-….docx — 该材料只收 pdf/ofd",
    "01.6 …/2023-市政府办-….pdf — 工作汇报须为复审当年（2026）的，2023 年的待核",
)


# --------------------------------------------------------------------------- rendering


def doc_number(spec: Spec) -> str:
    """The 文号 printed in the red header: the sidecar's when it has one, else the one assign_doc_numbers gave."""
    return str((spec.sidecar or {}).get("doc_number") or spec.extra.get("doc_number") or "")


def doc_prefix(spec: Spec) -> str:
    return DOC_PREFIX.get(spec.unit, "登" + spec.unit.removeprefix("市")[:1])


def assign_doc_numbers(specs: list[Spec]) -> None:
    """Number each issuer's documents of a year 1, 2, 3 … in path order, skipping the numbers sidecars use:
    two documents of one office never share a 文号 (search finds a file by the 文号 printed inside it)."""
    used = {str(s.sidecar["doc_number"]) for s in specs if s.sidecar and s.sidecar.get("doc_number")}
    counters: dict[tuple[str, str], int] = {}
    for spec in sorted(specs, key=lambda s: s.path):
        if spec.kind != "pdf" or doc_number(spec):
            continue
        key = (doc_prefix(spec), spec.year_text[:4])
        number = ""
        while not number or number in used:
            counters[key] = counters.get(key, 0) + 1
            number = f"{key[0]}〔{key[1]}〕{counters[key]}号"
        spec.extra["doc_number"] = number


def issuer_name(unit: str, full_names: dict[str, str]) -> str:
    return full_names.get(unit) or f"登封市{unit.removeprefix('市')}"


FULL_NAMES: dict[str, str] = {}


def render_pdf(spec: Spec, font: Path) -> bytes:
    """A red-header 公文 (GB/T 9704 look): 发文机关标志, 文号, red rule, title, body, signature and seal."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_producer("handbook demo")
    pdf.set_title(spec.title)
    pdf.add_font("cjk", fname=str(font))
    pdf.set_margins(28, 30, 26)
    pdf.set_auto_page_break(True, 25)
    issuer = issuer_name(spec.unit, FULL_NAMES)
    for page in range(spec.pages):
        pdf.add_page()
        if page == 0:
            red_header(pdf, issuer, doc_number(spec))
            pdf.set_font("cjk", size=18)
            pdf.multi_cell(0, 11, spec.title, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("cjk", size=13)
        for paragraph in body_for(spec) if page == 0 else body_for(spec)[1:]:
            pdf.multi_cell(0, 8.5, paragraph, new_x="LMARGIN", new_y="NEXT")
        if page == spec.pages - 1:
            signature(pdf, issuer, spec.year_text[:4])
        page_number(pdf, page + 1)
    return bytes(pdf.output())


def page_number(pdf: FPDF, number: int) -> None:
    """“— N —” in the bottom margin; page breaks are off meanwhile, or fpdf2 would start a new page."""
    pdf.set_auto_page_break(False)
    pdf.set_font("cjk", size=10)
    pdf.set_y(-20)
    pdf.cell(0, 6, f"— {number} —", align="C")
    pdf.set_auto_page_break(True, 25)


def red_header(pdf: FPDF, issuer: str, number: str) -> None:
    pdf.set_text_color(200, 16, 16)
    pdf.set_font("cjk", size=24)
    pdf.cell(0, 16, issuer + "文件", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=13)
    pdf.cell(0, 10, number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(200, 16, 16)
    pdf.set_line_width(0.8)
    y = pdf.get_y() + 2
    pdf.line(28, y, 184, y)
    pdf.set_y(y + 8)


def signature(pdf: FPDF, issuer: str, year: str) -> None:
    pdf.ln(10)
    x_right = 184
    pdf.set_font("cjk", size=13)
    pdf.cell(0, 8, issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, f"{year}年3月15日", align="R", new_x="LMARGIN", new_y="NEXT")
    # A round red seal over the signature, as on a sealed copy.
    y = pdf.get_y() - 12
    pdf.set_draw_color(210, 20, 20)
    pdf.set_line_width(0.9)
    pdf.ellipse(x_right - 48, y - 14, 36, 36)
    pdf.set_fill_color(210, 20, 20)
    pdf.star(x_right - 30, y + 4, 2.0, 5.0, 5, style="F")


def render_image(spec: Spec, font: Path) -> bytes:
    """A small drawn 'photo': sky, ground, two buildings and a caption bar naming the year, unit and subject."""
    rng = random.Random(spec.path or spec.title)
    image = Image.new("RGB", (640, 480), (150, 190, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 304, 640, 480), fill=rng.choice([(120, 150, 100), (160, 160, 160)]))
    for _ in range(2):
        x, y = rng.randrange(8, 60) * 8, rng.randrange(10, 30) * 8  # on the 8-px JPEG grid: cheaper blocks
        draw.rectangle((x, y, x + rng.randrange(8, 16) * 8, 304), fill=rng.choice([(230, 220, 200), (200, 200, 210)]))
    draw.rectangle((0, 432, 640, 480), fill=(30, 30, 30))
    subject = spec.title.removeprefix("登封市").removeprefix(f"{spec.year_text}年").removesuffix("现场照片")
    caption = f"{spec.year_text}年 {spec.unit} {subject}"[:30]
    draw.text((16, 442), caption, font=ImageFont.truetype(str(font), 18), fill=(255, 255, 255))
    out = io.BytesIO()
    if spec.kind == "png":
        image.quantize(8).save(out, format="PNG", optimize=True)
    elif spec.exif_rotate:
        # Stored sideways with EXIF orientation 6 ("rotate 90° clockwise to view"), as phones do.
        exif = Image.Exif()
        exif[0x0112] = 6
        image.transpose(Image.Transpose.ROTATE_90).save(out, format="JPEG", quality=40, exif=exif.tobytes(),
                                                             optimize=True)
    else:
        image.save(out, format="JPEG", quality=35, optimize=True)
    return out.getvalue()


XLSX_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def ledger_rows(spec: Spec) -> list[list[str | int]]:
    """One row per month of the year (or per year of a span), the way units keep a ledger."""
    rng = random.Random(spec.path)
    first, last = int(spec.year_text[:4]), int(spec.year_text[-4:])
    periods = [f"{y}年" for y in range(first, last + 1)] if first != last else [f"{first}年{m}月" for m in range(1, 13)]
    rows: list[list[str | int]] = [[spec.title], ["序号", "时间", "检查内容", "发现问题", "整改情况", "责任单位"]]
    for number, period in enumerate(periods, start=1):
        found = rng.randrange(0, 12)
        rows.append([number, period, "日常巡查", f"{found}处", "已整改" if found < 9 else "整改中", spec.unit])
    return rows


def render_xlsx(spec: Spec) -> bytes:
    """A minimal valid workbook written part by part (~2 KB; xlsxwriter's theme and styles triple that)."""
    cells = []
    for r, row in enumerate(ledger_rows(spec), start=1):
        values = []
        for c, value in enumerate(row):
            ref = f"{'ABCDEF'[c]}{r}"
            style = ' s="1"' if r <= 2 else ""
            if isinstance(value, int):
                values.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
            else:
                values.append(f'<c r="{ref}"{style} t="inlineStr"><is><t>{xml_escape(value)}</t></is></c>')
        cells.append(f'<row r="{r}">{"".join(values)}</row>')
    parts = {
        "[Content_Types].xml": XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": XML_HEAD + f'<workbook {XLSX_NS} xmlns:r="{REL_NS}"><sheets>'
        '<sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": XML_HEAD + f'<styleSheet {XLSX_NS}>'
        '<fonts count="2"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
        "xl/worksheets/sheet1.xml": XML_HEAD + f'<worksheet {XLSX_NS}>'
        '<cols><col min="1" max="1" width="6" customWidth="1"/><col min="2" max="6" width="14" customWidth="1"/></cols>'
        f'<sheetData>{"".join(cells)}</sheetData><mergeCells count="1"><mergeCell ref="A1:F1"/></mergeCells></worksheet>',
    }
    return zip_parts(parts)


def zip_parts(parts: dict[str, str]) -> bytes:
    """An OOXML package with fixed entry dates, so the bytes do not depend on when it was made."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def render_docx(spec: Spec) -> bytes:
    """A minimal valid .docx (what a unit exports from Word when it should have sent a PDF)."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + "".join(f"<w:p><w:r><w:t>{xml_escape(text)}</w:t></w:r></w:p>" for text in (spec.title, *body_for(spec)))
        + "</w:body></w:document>",
    }
    return zip_parts(parts)


def render(spec: Spec, font: Path) -> bytes:
    if spec.kind == "raw":
        return spec.raw or b""
    if spec.kind == "pdf":
        data = render_pdf(spec, font)
        # A transfer broken off half way: the header is there, the end of the file is not.
        return data[: len(data) // 2] if spec.extra.get("truncate") else data
    if spec.kind in {"jpg", "png"}:
        return render_image(spec, font)
    if spec.kind == "xlsx":
        return render_xlsx(spec)
    if spec.kind == "docx":
        return render_docx(spec)
    raise ValueError(spec.kind)


def sidecar_text(spec: Spec) -> str | None:
    if "bad_sidecar" in spec.extra:
        return spec.extra["bad_sidecar"]
    if not spec.sidecar:
        return None
    body = yaml.safe_dump(spec.sidecar, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return spec.sidecar_comment + body


README = """\
# 佐证材料（evidence）

这里存放各责任单位提交的国家卫生城市复审佐证材料，按“条目/材料/文件”三级存放：

```
evidence/
  03-年度计划与卫生创建/                    条目文件夹：两位条目编号，可加简称
    03.1-年度爱国卫生工作计划/              材料文件夹：材料编号，可加简称
      2024-市爱卫办-登封市2024年爱国卫生工作计划.pdf   年度-单位-标题.扩展名
      2024-市爱卫办-登封市2024年爱国卫生工作计划.yml   可选：文号、发文日期等附加信息
  indicators/                               指标数据表
  findings/findings.csv（或 .xlsx）         问题台账：督查、暗访等发现的问题及整改销号
  findings/photos/                          问题台账里写到的整改前、整改后照片
```

怎么命名、放在哪里、附加信息怎么写，见[提交指南](../docs/guide.md)。网站构建只读取这里的文件，
从不修改或删除；不合规的文件照样显示在网站“问题文件”页，并写明原因和改法。

本目录现有文件是由 `tools/make_demo_evidence.py` 生成的**演示数据**（登封市，复审年度 2026），
其中故意放了几份不合规的文件，用来演示检查结果。正式使用前请删除这些演示文件（`indicators/` 里的演示指标数据另行替换）。
"""


# --------------------------------------------------------------------------- main


def find_font(explicit: str | None) -> Path:
    for candidate in ([explicit] if explicit else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise SystemExit("找不到中文字体：请安装 fonts-wqy-microhei，或用 --font 指定 .ttf/.ttc 文件")


def clear_generated(out: Path) -> None:
    """Remove what a previous run wrote (every top-level entry except the ones others own)."""
    if not out.exists():
        return
    for child in sorted(out.iterdir()):
        if child.name in KEEP:
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()


def write(out: Path, relative: str, data: bytes) -> None:
    target = out / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(target.name + ".tmp")
    temp.write_bytes(data)
    temp.replace(target)


def build_specs(root: Path) -> list[Spec]:
    materials = load_materials(root)
    suppliers = load_suppliers(root)
    FULL_NAMES.update({u["name"]: u.get("full_name") or "" for u in load_yaml(root / "standards/local/units.yml")["units"]})
    featured = featured_specs(materials)
    problems = problem_specs(materials)
    # A cell a hand-picked file already fills gets no generated twin.
    taken = {(s.path.rsplit("/", 1)[0], s.year_text[:4]) for s in featured + problems}
    # The deliberately old 工作汇报 (01.6) stays the only one: its cell shows why a 2023 汇报 does not count.
    report = next(x for x in materials if x.id == "01.6")
    taken.add((report.folder, str(WINDOW[-1])))
    regular = [s for s in regular_specs(materials, suppliers)
               if (s.path.rsplit("/", 1)[0], s.year_text) not in taken]
    specs = featured + problems + regular
    seen: set[str] = set()
    unique = []
    for spec in specs:
        if spec.path not in seen:
            seen.add(spec.path)
            unique.append(spec)
    assign_doc_numbers(unique)
    return unique


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成登封市演示佐证材料（可重复生成，字节一致）")
    parser.add_argument("--out", type=Path, default=ROOT / "evidence", help="输出目录（默认 evidence/）")
    parser.add_argument("--font", help="中文字体文件（默认自动查找文泉驿微米黑或思源黑体）")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    specs = build_specs(ROOT)
    temp_dir = Path(tempfile.mkdtemp(prefix="demo-evidence-"))
    try:
        font = subset_font(find_font(args.font), specs, temp_dir)
        clear_generated(args.out)
        total = write_all(args.out, specs, font)
        made = scaffold_demo(args.out)
        total += write_findings(args.out)  # the 问题台账 and its photos (evidence/findings/)
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    log.info("写出 %d 个文件，共 %.0f KB，到 %s；另建 %d 个空资料文件夹（各带 README.md）", len(specs), total / 1024,
             args.out, made)
    for line in PROBLEMS:
        log.info("  故意的问题：%s", line)
    return 0


def scaffold_demo(out: Path) -> int:
    """Every item and material folder, each material folder with its README.md (``python -m handbook scaffold``):
    the demo ships complete, as a city's tree is after scaffold."""
    sys.path.insert(0, str(ROOT / "hooks"))
    from handbook.load.project import load_project
    from handbook.outputs.scaffold import scaffold

    result = scaffold(load_project(ROOT), out)
    return len(result.folders_created)


def write_all(out: Path, specs: list[Spec], font: Path) -> int:
    total = 0
    for spec in specs:
        data = render(spec, font)
        write(out, spec.path, data)
        total += len(data)
        sidecar = sidecar_text(spec)
        if sidecar is not None:
            write(out, spec.path.rsplit(".", 1)[0] + ".yml", sidecar.encode("utf-8"))
    write(out, "README.md", README.encode("utf-8"))
    return total


def subset_font(font: Path, specs: list[Spec], out_dir: Path) -> Path:
    """Cut the system CJK font down to the characters the demo uses, once.

    fpdf2 subsets again per PDF; doing the big cut first makes loading fast (a .ttc is ~5 MB) and
    keeps the output independent of which of several installed fonts' other glyphs exist.
    """
    texts = [spec.title + spec.unit + spec.year_text + issuer_name(spec.unit, FULL_NAMES) + doc_number(spec)
             + "".join(body_for(spec)) for spec in specs if spec.unit]
    charset = set("".join(texts)) | set("0123456789年月日—〔〕号 文件")
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # screen hinting is a fifth of the glyph data and useless in a PDF
    options.drop_tables += ["FFTM", "GPOS", "GSUB", "GDEF", "vhea", "vmtx"]
    number = 0 if font.suffix.lower() == ".ttc" else -1
    # recalcTimestamp=False: a fresh head.modified on every run would change every PDF's bytes.
    tt = TTFont(str(font), fontNumber=max(number, 0), recalcTimestamp=False) if number >= 0 \
        else TTFont(str(font), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(charset)))
    subsetter.subset(tt)
    target = out_dir / "demo-cjk.ttf"
    tt.save(str(target))
    return target


if __name__ == "__main__":
    sys.exit(main())
