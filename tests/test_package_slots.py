"""The review package's upload slots and indexes, beyond the basics in test_package.py: what stays out of the
slot PDFs and the reviewers' part (restricted, erroneous, repeated, empty content), OFD files, photos in
batches, leftovers of killed builds, print layout of the indexes. Results are read back from the zips, with
pandas, openpyxl and pypdf.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from handbook.outputs import package as pkg
from handbook.model import Kind, Level, Problem, Sidecar, Where
from handbook.outputs.package import fonts, layout, photos as photos_module, zipper
from test_package import (  # noqa: F401  (no_office_converter: the autouse fixture, applied here too)
    CITY,
    add_file,
    internal_sheet,
    make_archive,
    make_pdf,
    names,
    no_office_converter,
    slot_reader,
)

PLAN_DIR = "03/03.1-年度工作计划"


def build(archive, out: Path, **kwargs):
    return pkg.build_package(archive, out, progress=lambda *a: None, **kwargs)


def slot(result, key: str):
    return next(s for s in result.slots if s.key == key)


def left_out(result) -> dict[str, str]:
    sheet = internal_sheet(result, "未放入的文件")
    return dict(zip(sheet["文件（evidence/ 下）"], sheet["原因"], strict=False))


def readme(result) -> str:
    return result.published["README.txt"].read_text(encoding="utf-8-sig")


def plan_file(archive, name: str, ext: str = "pdf", **kwargs):
    """Add a file to material 03.1 (the 工作计划 slot) of ``archive``."""
    defaults = dict(item=3, mat="03.1", years=(2024,), unit="市爱卫办", title=name, filetype=ext, pages=1,
                    writer=lambda p: make_pdf(p, 1, p.stem.encode("unicode_escape").decode()))
    file = add_file(archive.evidence_root, f"{PLAN_DIR}/2024-市爱卫办-{name}.{ext}", **(defaults | kwargs))
    archive.files.append(file)
    return file


# --------------------------------------------------------------------------- photos: memory stays flat


def noisy_jpeg(path: Path, seed: int, *, rotated: bool = False) -> None:
    """A photo that does not compress away (about 90 KB), optionally stored sideways with EXIF orientation 6."""
    pixels = bytes((seed * 7919 + i * 104729) % 251 for i in range(240 * 160 * 3))
    image = Image.frombytes("RGB", (240, 160), pixels)
    exif = Image.Exif()
    if rotated:
        exif[0x0112] = 6
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())


def test_photos_go_into_small_batches_with_bookmarks_on_the_right_pages(tmp_path, monkeypatch):
    archive = make_archive(tmp_path)
    for n in range(5):
        plan_file(archive, f"巡查照片{n}", "jpg", pages=None, writer=lambda p, n=n: noisy_jpeg(p, n, rotated=n == 3))
    photo_bytes = max((archive.evidence_root / f.path).stat().st_size for f in archive.files[-5:])
    monkeypatch.setattr(photos_module, "PHOTO_BATCH_BYTES", photo_bytes)  # a batch closes at this much
    documents = []
    real_new_pdf = photos_module.new_pdf

    def recording_new_pdf(*args, **kwargs):
        documents.append(real_new_pdf(*args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(photos_module, "new_pdf", recording_new_pdf)
    result = build(archive, tmp_path / "out")

    # The slot's batches held no more than the budget plus the photo that filled it (one document would hold all).
    held = [sum(len(i.get("data") or b"") for i in d.image_cache.images.values()) for d in documents]
    assert len(documents) >= 3 and sorted(held)[-2] < 2 * photo_bytes, held
    with zipfile.ZipFile(result.upload.zip_path) as zf:
        merged = slot_reader(zf, result, "work-plan")
    titles = [o.title for o in merged.outline]
    starts = [merged.get_destination_page_number(o) for o in merged.outline]
    # 2025 plan (3 pages), then the 2024 documents by title: the rotated fixture photo, five photos, then 2023.
    assert titles[0].endswith("登封市2025年爱国卫生工作计划") and titles[-1].endswith("登封市2023年爱国卫生工作计划")
    assert starts == [0, 3, 4, 5, 6, 7, 8, 9] and len(merged.pages) == 9 + 2
    for title, start in zip(titles, starts, strict=True):
        if "照片" in title:
            assert title.split(" ", 2)[-1] in merged.pages[start].extract_text()  # the caption of that photo
    sideways = merged.pages[starts[titles.index("2024 市爱卫办 巡查照片3")]]
    assert float(sideways.mediabox.width) < float(sideways.mediabox.height)  # EXIF orientation applied


def test_photos_of_one_material_and_year_become_one_captioned_pdf_for_reviewers(tmp_path):
    archive = make_archive(tmp_path)
    for n in range(3):
        plan_file(archive, f"巡查照片{n}", "jpg", pages=None, writer=lambda p, n=n: noisy_jpeg(p, n))
    result = build(archive, tmp_path / "out")
    with zipfile.ZipFile(result.review.zip_path) as zf:
        merged = [n for n in zf.namelist() if n.endswith("-照片4张.pdf")]
        assert merged == [f"{result.review.root}/分项佐证/1-爱国卫生组织管理/03-爱国卫生工作计划与总结/"
                          "03.1-年度工作计划/03.1-02-2024-照片4张.pdf"]
        reader = PdfReader(io.BytesIO(zf.read(merged[0])))
    assert len(reader.pages) == 4
    captions = [page.extract_text() for page in reader.pages]
    assert all("市爱卫办" in c and "2024" in c for c in captions)
    assert sorted(c.split("　")[0].strip() for c in captions) == ["巡查照片0", "巡查照片1", "巡查照片2", "爱国卫生月部署会照片"]
    catalog = pd.read_excel(result.published["总目录.xlsx"], dtype=str).fillna("")
    assert "由 4 张照片合并（每页注明标题、单位、日期）" in set(catalog["说明"])


# --------------------------------------------------------------------------- what stays out


def test_restricted_files_and_their_copies_stay_out_of_both_parts(tmp_path):
    archive = make_archive(tmp_path)
    secret = plan_file(archive, "签到表含身份证号", sidecar=Sidecar(restricted=True))
    plan_file(archive, "人员名单", "docx", pages=None, sidecar=Sidecar(restricted=True),
              writer=lambda p: p.write_bytes(b"PK\x03\x04 names"))
    unmarked = plan_file(archive, "签到表复印件", writer=lambda p: p.write_bytes(  # same bytes, no sidecar
        (archive.evidence_root / secret.path).read_bytes()))
    result = build(archive, tmp_path / "out")

    plan = slot(result, "work-plan")
    assert not any("签到表" in d or "人员名单" in d for d in plan.documents)
    with zipfile.ZipFile(result.upload.zip_path) as zf:
        merged = slot_reader(zf, result, "work-plan")
    assert not any("签到表" in o.title for o in merged.outline) and len(merged.pages) == plan.pages == 6
    for part in (result.upload, result.review):
        assert not any("签到表" in n or "人员名单" in n for n in names(part.zip_path)), part.name
    reasons = left_out(result)
    assert reasons[secret.path] == "受限文件（含个人信息）"
    assert reasons[unmarked.path] == f"与受限文件 {secret.path} 内容完全相同（含个人信息）"
    restricted = internal_sheet(result, "受限文件")
    assert len(restricted) == 3 and unmarked.path not in set(restricted["文件（evidence/ 下）"])


def test_files_with_errors_stay_out_and_warnings_do_not(tmp_path):
    archive = make_archive(tmp_path)
    late = plan_file(archive, "年份写错的计划", years=(2019,), problems=[Problem(
        "outside-window", "年份 2019 不在评审期 2023–2026 内", "核对文件名中的年份",
        place=Where(f"{PLAN_DIR}/2024-市爱卫办-年份写错的计划.pdf"))])
    original = archive.files[1]  # the 2025 plan, merged first (newest)
    plan_file(archive, "重复提交的计划", writer=lambda p: p.write_bytes(
        (archive.evidence_root / original.path).read_bytes()))
    plan_file(archive, "只有警告的计划", problems=[Problem("unit-not-assigned", "不是牵头单位", "核对", Level.WARNING)])
    result = build(archive, tmp_path / "out")

    plan = slot(result, "work-plan")
    assert any("只有警告的计划" in d for d in plan.documents)  # a warning does not keep a file out
    assert not any("年份写错" in d or "重复提交" in d for d in plan.documents)  # same content goes up once
    assert left_out(result)[late.path] == "待核：年份 2019 不在评审期 2023–2026 内"
    assert not any("年份写错" in n for n in names(result.review.zip_path))
    fixes = internal_sheet(result, "未放入的文件").set_index("文件（evidence/ 下）")["怎么改"]
    assert fixes[late.path] == "核对文件名中的年份"


def ofd_file(path: Path, *, signed: bool) -> None:
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("OFD.xml", "<ofd:OFD/>")
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
        package.writestr("Doc_0/Pages/Page_0/Content.xml", "<ofd:Page/>")
        package.writestr("Doc_0/Pages/Page_1/Content.xml", "<ofd:Page/>")
        if signed:
            package.writestr("Doc_0/Signs/Signatures.xml", "<ofd:Signatures/>")


def test_empty_unknown_and_ofd_files(tmp_path):
    archive = make_archive(tmp_path)
    empty = plan_file(archive, "空文件", filetype="empty", pages=None, writer=lambda p: p.write_bytes(b""))
    odd = plan_file(archive, "乱码文件", filetype="unknown", pages=None, writer=lambda p: p.write_bytes(b"\x00\x01junk"))
    ofd = plan_file(archive, "电子公文", "ofd", pages=None, writer=lambda p: ofd_file(p, signed=True))
    broken = plan_file(archive, "坏的电子公文", "ofd", pages=None, writer=lambda p: p.write_bytes(b"PK\x03\x04 OFD.xml"))
    result = build(archive, tmp_path / "out")

    reasons = left_out(result)
    assert reasons[empty.path] == "文件是空的（0 字节）"
    assert reasons[odd.path].startswith("文件内容无法识别")
    assert "OFD 文件已损坏" in reasons[broken.path]
    plan = slot(result, "work-plan")
    # The OFD goes up as it is, as the slot's second file (an OFD cannot be merged into a PDF).
    assert [Path(f.package_path).name for f in plan.files] == ["03-工作计划之一.pdf", "03-工作计划之二.ofd"]
    with zipfile.ZipFile(result.upload.zip_path) as zf:
        assert zf.read(plan.files[1].package_path) == (archive.evidence_root / ofd.path).read_bytes()
    catalog = pd.read_excel(result.published["总目录.xlsx"], dtype=str).fillna("")
    row = catalog.loc[catalog["标题"] == "电子公文"].iloc[0]
    assert row["说明"] == "OFD 原件，含电子签章" and row["页数"] == "2" and row["包内路径"].endswith(".ofd")


def test_ole_office_files_are_offered_to_the_converter(tmp_path):
    """An old .doc sniffs as "ole"; it is an office file all the same."""
    archive = make_archive(tmp_path)
    doc = plan_file(archive, "旧版文档", "doc", filetype="ole", pages=None,
                    writer=lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0"))
    result = build(archive, tmp_path / "out")
    failed = {c.evidence_path: c for c in result.failed_conversions}
    assert failed[doc.path].family == "Word" and "LibreOffice" in failed[doc.path].reason


# --------------------------------------------------------------------------- README and the page


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root), *args],
                   check=True, capture_output=True)


def test_page_says_when_evidence_is_uncommitted_and_readme_never_does(tmp_path):
    archive = make_archive(tmp_path)
    root = archive.project.root
    (root / ".gitignore").write_text("*.log\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "inputs")
    clean = build(archive, tmp_path / "clean")
    assert clean.provenance.commit and not clean.provenance.dirty
    assert "未提交" not in pkg.render_page(clean)

    plan_file(archive, "还没提交的计划")
    dirty = build(archive, tmp_path / "dirty")
    assert dirty.provenance.dirty and dirty.provenance.untracked_evidence == 1
    assert "另有未提交的修改" in pkg.render_page(dirty)
    assert "git" not in readme(dirty) and "未提交" not in readme(dirty)  # the reviewers' README: no build notes


@pytest.mark.parametrize(("kind", "label"), [(Kind.CITY, "国家卫生城市"), (Kind.COUNTY, "国家卫生县")])
def test_readme_names_the_title_for_both_kinds(tmp_path, kind, label):
    text = readme(build(make_archive(tmp_path, kind=kind), tmp_path / "out"))
    assert text.splitlines()[0] == f"{CITY} 2026年{label}复审 评审资料"


# --------------------------------------------------------------------------- the indexes print and sort well


def test_index_columns_wrap_and_deadlines_are_dates(tmp_path):
    result = build(make_archive(tmp_path), tmp_path / "out")
    catalog = openpyxl.load_workbook(result.published["总目录.xlsx"])["总目录"]
    header = {cell.value: cell.column for cell in catalog[1]}
    row = catalog[2]
    for name in ("项", "资料", "标题", "包内路径"):
        assert row[header[name] - 1].alignment.wrap_text, name
    digest = row[header["SHA-256"] - 1]
    assert digest.alignment.wrap_text and digest.font.sz <= 8 and len(digest.value) == 64
    assert catalog.page_setup.orientation == "landscape" and catalog.sheet_properties.pageSetUpPr.fitToPage

    volumes = openpyxl.load_workbook(result.published["卷内目录.xlsx"])
    sheet = next(s for s in volumes.worksheets if s.title.startswith("03-"))
    header = {cell.value: cell.column for cell in sheet[1]}
    for name in ("题名", "资料", "包内路径"):
        assert sheet.cell(2, header[name]).alignment.wrap_text, name

    missing_path = result.internal_files["缺失资料清单.xlsx"]
    missing = openpyxl.load_workbook(missing_path)["缺失资料清单"]
    header = {cell.value: cell.column for cell in missing[1]}
    deadline = missing.cell(2, header["截止日期"])
    assert deadline.is_date and deadline.number_format == "yyyy-mm-dd"
    frame = pd.read_excel(missing_path, sheet_name="缺失资料清单")
    assert set(frame["截止日期"].dt.date) == {dt.date(2026, 12, 31), dt.date(2026, 6, 30)}
    assert openpyxl.load_workbook(missing_path)["按单位汇总"].cell(2, 5).is_date


def test_volume_pdf_continuation_pages_name_their_item(tmp_path):
    archive = make_archive(tmp_path)
    for n in range(70):
        archive.files.append(add_file(
            archive.evidence_root, f"01/01.2-政府工作报告/2024-市卫健委-第{n:02d}号监测点报告.pdf", item=1,
            mat="01.2", years=(2024,), unit="市卫健委", title=f"第{n:02d}号监测点报告", filetype="pdf", pages=1,
            writer=lambda p, n=n: make_pdf(p, 1, f"report {n}")))
    result = build(archive, tmp_path / "out")
    texts = [page.extract_text() for page in PdfReader(result.published["卷内目录.pdf"]).pages]
    item01 = [n for n, text in enumerate(texts) if "组织领导与规范性文件" in text]
    assert len(item01) >= 3  # the item's first page and at least two continuation pages
    for number in item01[1:]:
        assert "第 1 项" in texts[number] and "（续）" in texts[number], texts[number][:80]
    assert "（续）" not in texts[item01[0]]


# --------------------------------------------------------------------------- leftovers and errors


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_leftovers_of_killed_builds_are_removed_and_nothing_else(tmp_path):
    archive = make_archive(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    gone, zip_name = dead_pid(), f"2-评审资料-{CITY}-2026.zip"
    stale = [out / f".package-{gone}-abc123_x", out / f".{zip_name}.{gone}.tmp", out / f".总目录.xlsx.{gone}.tmp",
             out / f".内部清单.xlsx.{gone}.tmp", out / ".package-oldstyle1"]
    kept = [out / f".package-{os.getpid()}-running1", out / ".package-freshstyl", out / f".notes.txt.{gone}.tmp",
            out / "notes.txt", out / ".package-keep-me"]
    for path in stale + kept:
        if path.name.startswith(".package-"):
            path.mkdir()
            (path / "part.pdf").write_bytes(b"half written")
        else:
            path.write_bytes(b"x")
    day_old = time.time() - 2 * 86400
    os.utime(out / ".package-oldstyle1", (day_old, day_old))  # no pid in the name: removed only once old

    build(archive, out)
    left = {p.name for p in out.iterdir()}
    assert not left & {p.name for p in stale}
    assert {p.name for p in kept} <= left


def test_the_old_single_zip_is_removed_so_it_is_never_uploaded_by_mistake(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / f"资料评估材料包-{CITY}-2026.zip").write_bytes(b"old")
    build(make_archive(tmp_path), out)
    assert sorted(p.name for p in out.glob("*.zip")) == [
        f"1-上传资料-{CITY}-2026.zip", f"2-评审资料-{CITY}-2026.zip", f"3-内部清单-{CITY}-2026.zip"]


def test_path_that_cannot_be_shortened_is_a_clear_package_error(tmp_path, monkeypatch, capsys):
    archive = make_archive(tmp_path)
    monkeypatch.setattr(layout, "MAX_PATH", 70)
    with pytest.raises(zipper.PackageError, match=r"^evidence/01/01\.1-规范性文件/.+\.pdf：.*缩短文件名中的标题"):
        build(archive, tmp_path / "out")

    import handbook.pipeline as pipeline
    from handbook.commands import package as command

    monkeypatch.setattr(pipeline, "build_archive", lambda root, **kwargs: archive)
    code = command.run(argparse.Namespace(root=str(tmp_path), today=None, out=tmp_path / "out"))
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("打包失败：evidence/") and "Traceback" not in err
    assert not list((tmp_path / "out").glob("*.zip"))


def test_font_lookup_still_fails_first(tmp_path, monkeypatch):
    """The stale-file sweep and the staging folder come after the font check: no font, nothing written."""
    monkeypatch.setattr(fonts, "_fc_list_faces", lambda: [])
    monkeypatch.setattr(fonts, "_KNOWN_PATHS", ())
    with pytest.raises(fonts.FontMissingError):
        build(make_archive(tmp_path), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_photo_pdfs_embed_the_font_cut_down_to_their_captions(tmp_path, monkeypatch):
    """fpdf parses the whole CJK font for each PDF (0.5 s): the reviewers' photo PDFs get a subset made once."""
    used = []
    real = photos_module.new_pdf

    def recording(font, *args, **kwargs):
        used.append((font, font.path.stat().st_size))  # the staging folder is gone after the build
        return real(font, *args, **kwargs)

    monkeypatch.setattr(photos_module, "new_pdf", recording)
    archive = make_archive(tmp_path)
    for n in range(2):
        plan_file(archive, f"巡查照片{n}", "jpg", pages=None, writer=lambda p, n=n: noisy_jpeg(p, n))
    result = build(archive, tmp_path / "out")
    photo_fonts = [(f, size) for f, size in used if f.covers is not None]
    assert len(photo_fonts) == 1, used  # the one photo PDF of 03.1, 2024
    font, size = photo_fonts[0]
    assert set("巡查照片市爱卫办2024…") <= font.covers and "缺" not in font.covers
    assert size * 10 < fonts.find_cjk_font().path.stat().st_size
    with zipfile.ZipFile(result.review.zip_path) as zf:
        merged = next(n for n in zf.namelist() if n.endswith("-照片3张.pdf"))
        reader = PdfReader(io.BytesIO(zf.read(merged)))
    assert sorted(p.extract_text().split("　")[0].strip() for p in reader.pages) == [
        "巡查照片0", "巡查照片1", "爱国卫生月部署会照片"]


def test_a_font_subset_has_what_it_was_cut_for_and_an_odd_font_falls_back_whole(tmp_path):
    full = fonts.find_cjk_font()
    cut = fonts.subset_for(full, ["卫生城市复审"], tmp_path)
    assert cut.has("复审卫生 2026（城市）…") and not cut.has("卫生城市复审：缺")
    assert full.has("任何文字")  # a whole font is taken at its word
    odd = tmp_path / "odd.ttf"
    odd.write_bytes(b"not a font")
    assert fonts.subset_for(fonts.CjkFont(odd), ["卫生"], tmp_path) == fonts.CjkFont(odd)
