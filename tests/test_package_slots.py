"""The review package's upload slots and indexes, beyond the basics in test_package.py: what stays out of the
slot PDFs (restricted, erroneous, repeated, empty content), photos in batches, leftovers of killed builds,
provenance, print layout of the indexes. Results are read back from the zip, with pandas, openpyxl and pypdf.
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
from handbook.model import Kind, Level, Problem, Sidecar
from handbook.outputs.package import fonts, layout, slots as slots_module, zipper
from test_package import (  # noqa: F401  (no_office_converter: the autouse fixture, applied here too)
    CITY,
    add_file,
    make_archive,
    make_pdf,
    no_office_converter,
    slot_reader,
)

PLAN_DIR = "03/03.1-年度工作计划"


def build(archive, out: Path, **kwargs):
    return pkg.build_package(archive, out, progress=lambda *a: None, **kwargs)


def slot(result, key: str):
    return next(s for s in result.slots if s.key == key)


def upload_sheet(result) -> pd.DataFrame:
    return pd.read_excel(result.published["总目录.xlsx"], sheet_name="上传资料", dtype=str).fillna("")


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
    monkeypatch.setattr(slots_module, "PHOTO_BATCH_BYTES", photo_bytes, raising=False)  # a batch closes at this much
    documents = []
    real_new_pdf = slots_module.new_pdf

    def recording_new_pdf(*args, **kwargs):
        documents.append(real_new_pdf(*args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(slots_module, "new_pdf", recording_new_pdf)
    result = build(archive, tmp_path / "out")

    # No fpdf document held more than the budget plus the photo that filled it (one document would hold all).
    held = [sum(len(i.get("data") or b"") for i in d.image_cache.images.values()) for d in documents]
    assert len(documents) >= 3 and max(held) < 2 * photo_bytes, held
    with zipfile.ZipFile(result.zip_path) as zf:
        merged = slot_reader(zf, result, "work-plan")
    titles = [o.title for o in merged.outline]
    starts = [merged.get_destination_page_number(o) for o in merged.outline]
    # 2025 plan (3 pages), then the 2024 documents by title: the rotated fixture photo, five photos, then 2023.
    assert titles[0].endswith("登封市2025年爱国卫生工作计划") and titles[-1].endswith("登封市2023年爱国卫生工作计划")
    assert starts == [0, 3, 4, 5, 6, 7, 8, 9] and len(merged.pages) == 9 + 2
    for title, start in zip(titles, starts, strict=True):
        if "巡查照片" in title or "照片" in title:
            assert title.split(" ", 2)[-1] in merged.pages[start].extract_text()  # the caption of that photo
    sideways = merged.pages[starts[titles.index("2024 市爱卫办 巡查照片3")]]
    assert float(sideways.mediabox.width) < float(sideways.mediabox.height)  # EXIF orientation applied


# --------------------------------------------------------------------------- what stays out of the slot PDFs


def test_restricted_files_stay_out_of_the_upload_pdfs(tmp_path):
    archive = make_archive(tmp_path)
    secret = plan_file(archive, "签到表含身份证号", sidecar=Sidecar(restricted=True))
    plan_file(archive, "人员名单", "docx", pages=None, sidecar=Sidecar(restricted=True),
              writer=lambda p: p.write_bytes(b"PK\x03\x04 names"))
    unmarked = plan_file(archive, "签到表复印件", writer=lambda p: p.write_bytes(  # same bytes, no sidecar
        (archive.evidence_root / secret.path).read_bytes()))
    result = build(archive, tmp_path / "out")

    plan = slot(result, "work-plan")
    assert sorted(p.rsplit("-", 1)[-1] for p in plan.restricted) == ["人员名单.docx", "签到表含身份证号.pdf"]
    assert not any("签到表" in d or "人员名单" in d for d in plan.documents)
    assert [p.evidence_path for p in plan.held] == [unmarked.path] and "受限文件" in plan.held[0].message
    assert not any("人员名单" in u.evidence_path for u in plan.unconverted)  # not copied to 待转换PDF either
    with zipfile.ZipFile(result.zip_path) as zf:
        names = zf.namelist()
        merged = slot_reader(zf, result, "work-plan")
    assert not any("签到表" in o.title for o in merged.outline) and len(merged.pages) == plan.pages == 6
    uploads = [n for n in names if "/01-上传资料/" in n]
    assert not any("签到表" in n or "人员名单" in n for n in uploads)
    assert any(n.endswith("签到表含身份证号.pdf") and "/02-分项佐证/" in n for n in names)  # still for reviewers
    remark = upload_sheet(result).set_index("栏目").loc["工作计划", "说明"]
    assert "2 个受限文件" in remark and "未并入" in remark
    assert "2 个受限文件未并入" in readme(result)
    catalog = pd.read_excel(result.published["总目录.xlsx"], dtype=str)
    assert "受限" in catalog.loc[catalog["标题"] == secret.title, "状态"].item()


def test_files_with_errors_and_repeated_content_are_held_back(tmp_path):
    archive = make_archive(tmp_path)
    late = plan_file(archive, "年份写错的计划", years=(2019,), problems=[Problem(
        "outside-window", f"{PLAN_DIR}/2024-市爱卫办-年份写错的计划.pdf：年份 2019 不在评审期 2023–2026 内",
        "核对文件名中的年份")])
    original = archive.files[1]  # the 2025 plan, merged first (newest)
    copy = plan_file(archive, "重复提交的计划", writer=lambda p: p.write_bytes(
        (archive.evidence_root / original.path).read_bytes()))
    plan_file(archive, "只有警告的计划", problems=[Problem("unit-not-assigned", "不是牵头单位", "核对", Level.WARNING)])
    docx = next(f for f in archive.files if f.name.endswith(".docx"))
    docx.problems.append(Problem("format-not-accepted", "只接受 pdf", "转换为 PDF"))  # the package copies it for conversion
    result = build(archive, tmp_path / "out")

    plan = slot(result, "work-plan")
    held = {p.evidence_path: p.message for p in plan.held}
    assert set(held) == {late.path, copy.path}
    assert all(m.startswith("待核，未并入《工作计划》") for m in held.values())
    assert "2019" in held[late.path] and original.path in held[copy.path]
    assert any("只有警告的计划" in d for d in plan.documents)  # a warning does not keep a file out
    assert not any("年份写错" in d or "重复提交" in d for d in plan.documents)
    assert [u.evidence_path for u in plan.unconverted] == [docx.path]
    remark = upload_sheet(result).set_index("栏目").loc["工作计划", "说明"]
    assert "待核，未并入：" in remark and late.name in remark and copy.name in remark
    problems = pd.read_excel(result.published["总目录.xlsx"], sheet_name="问题", dtype=str)
    for file in (late, copy):
        rows = problems[problems["包内路径"].str.contains(file.title, regex=False)]
        assert rows["问题"].str.contains("未并入《工作计划》").any(), file.title
    assert "2 个文件待核未并入" in readme(result)


def test_empty_unknown_and_ofd_files_get_the_right_message(tmp_path):
    archive = make_archive(tmp_path)
    empty = plan_file(archive, "空文件", filetype="empty", pages=None, writer=lambda p: p.write_bytes(b""))
    odd = plan_file(archive, "乱码文件", filetype="unknown", pages=None, writer=lambda p: p.write_bytes(b"\x00\x01junk"))
    ofd = plan_file(archive, "电子公文", "ofd", pages=None, writer=lambda p: p.write_bytes(b"PK\x03\x04 OFD.xml"))
    result = build(archive, tmp_path / "out")

    plan = slot(result, "work-plan")
    messages = {p.evidence_path: p.message for p in plan.problems}
    assert "文件是空的（0 字节）" in messages[empty.path] and "重新提交" in messages[empty.path]
    assert "无法识别" in messages[odd.path]
    reasons = {u.evidence_path: u.reason for u in plan.unconverted}
    assert empty.path not in reasons and odd.path not in reasons  # nothing a conversion could fix
    assert not any("EMPTY" in r or "UNKNOWN" in r for r in reasons.values())
    assert "可按原样上传" in reasons[ofd.path] and "只接受 PDF 或 OFD，OFD" not in reasons[ofd.path]
    catalog = pd.read_excel(result.published["总目录.xlsx"], dtype=str)
    status = catalog.loc[catalog["标题"] == "电子公文", "状态"].item()
    assert "可直接上传《工作计划》，但未并入" in status and "需转换" not in status


def test_ole_office_files_are_offered_to_the_converter(tmp_path):
    """An old .doc sniffs as "ole"; it is an office file all the same."""
    archive = make_archive(tmp_path)
    doc = plan_file(archive, "旧版文档", "doc", filetype="ole", pages=None,
                    writer=lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0"))
    result = build(archive, tmp_path / "out")
    reasons = {u.evidence_path: u.reason for u in slot(result, "work-plan").unconverted}
    assert "LibreOffice" in reasons[doc.path]


# --------------------------------------------------------------------------- README and provenance


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root), *args],
                   check=True, capture_output=True)


def test_readme_counts_untracked_evidence_as_uncommitted(tmp_path):
    archive = make_archive(tmp_path)
    root = archive.project.root
    (root / ".gitignore").write_text("*.log\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "inputs")
    clean = build(archive, tmp_path / "clean")
    assert clean.provenance.commit and not clean.provenance.dirty
    assert "未提交" not in readme(clean)

    plan_file(archive, "还没提交的计划")
    (archive.evidence_root / "03" / "scan.log").write_text("ignored", encoding="utf-8")
    (root / "notes.txt").write_text("untracked, but not evidence", encoding="utf-8")
    dirty = build(archive, tmp_path / "dirty")
    assert dirty.provenance.dirty and dirty.provenance.untracked_evidence == 1 and dirty.provenance.changed == 0
    assert "evidence/ 下 1 个文件尚未加入 git" in readme(dirty)


@pytest.mark.parametrize(("kind", "label"), [(Kind.CITY, "城市：登封市"), (Kind.COUNTY, "县（市）：登封市")])
def test_readme_names_the_place_for_both_kinds(tmp_path, kind, label):
    text = readme(build(make_archive(tmp_path, kind=kind), tmp_path / "out"))
    assert label in text.splitlines()[3] and "（县）" not in text and "（城市）" not in text


# --------------------------------------------------------------------------- the indexes print and sort well


def test_index_columns_wrap_and_deadlines_are_dates(tmp_path):
    result = build(make_archive(tmp_path), tmp_path / "out")
    catalog = openpyxl.load_workbook(result.published["总目录.xlsx"])["总目录"]
    header = {cell.value: cell.column for cell in catalog[1]}
    row = catalog[2]
    for name in ("条目", "资料", "标题", "包内路径", "状态"):
        assert row[header[name] - 1].alignment.wrap_text, name
    digest = row[header["SHA-256"] - 1]
    assert digest.alignment.wrap_text and digest.font.sz <= 8 and len(digest.value) == 64
    assert catalog.page_setup.orientation == "landscape" and catalog.sheet_properties.pageSetUpPr.fitToPage

    with zipfile.ZipFile(result.zip_path) as zf:
        volumes = openpyxl.load_workbook(io.BytesIO(zf.read(f"{result.root}/卷内目录.xlsx")))
    sheet = next(s for s in volumes.worksheets if s.title.startswith("03-"))
    header = {cell.value: cell.column for cell in sheet[1]}
    for name in ("题名", "资料", "包内路径"):
        assert sheet.cell(2, header[name]).alignment.wrap_text, name

    missing = openpyxl.load_workbook(result.published["缺失资料清单.xlsx"])["缺失资料清单"]
    header = {cell.value: cell.column for cell in missing[1]}
    deadline = missing.cell(2, header["截止日期"])
    assert deadline.is_date and deadline.number_format == "yyyy-mm-dd"
    frame = pd.read_excel(result.published["缺失资料清单.xlsx"], sheet_name="缺失资料清单")
    assert pd.api.types.is_datetime64_any_dtype(frame["截止日期"])
    assert set(frame["截止日期"].dt.date) == {dt.date(2026, 12, 31), dt.date(2026, 6, 30)}
    summary = openpyxl.load_workbook(result.published["缺失资料清单.xlsx"])["按单位汇总"]
    assert summary.cell(2, 5).is_date


def test_volume_pdf_continuation_pages_name_their_item(tmp_path):
    archive = make_archive(tmp_path)
    for n in range(70):
        archive.files.append(add_file(
            archive.evidence_root, f"45/45.1-病媒监测人员名单/2024-市疾控中心-第{n:02d}号监测点人员名单.pdf", item=45,
            mat="45.1", years=(2024,), unit="市疾控中心", title=f"第{n:02d}号监测点人员名单", filetype="pdf", pages=1,
            writer=lambda p, n=n: p.write_bytes(b"%%PDF-1.4 %d" % n)))
    result = build(archive, tmp_path / "out")
    volumes = PdfReader(result.published["卷内目录.pdf"])
    texts = [page.extract_text() for page in volumes.pages]
    item45 = [n for n, text in enumerate(texts) if "病媒生物防制" in text]
    assert len(item45) >= 3  # the item's first page and at least two continuation pages
    for number in item45[1:]:
        assert "第45条" in texts[number] and "（续）" in texts[number], texts[number][:80]
    assert "（续）" not in texts[item45[0]]


# --------------------------------------------------------------------------- leftovers and errors


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_leftovers_of_killed_builds_are_removed_and_nothing_else(tmp_path):
    archive = make_archive(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    gone, zip_name = dead_pid(), f"资料评估材料包-{CITY}-2026.zip"
    stale = [out / f".package-{gone}-abc123_x", out / f".{zip_name}.{gone}.tmp", out / f".总目录.xlsx.{gone}.tmp",
             out / ".package-oldstyle1"]
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
