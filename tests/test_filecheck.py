"""Content checks (handbook.scan.content) and name parsing (handbook.scan.names) on real files made here."""

from __future__ import annotations

import io
import itertools
import os
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from handbook.scan import content as filecheck
from handbook.scan import names as filenames
from handbook.scan.cache import digests_of
from handbook.util.files import open_readonly
from handbook.model import Level

# --------------------------------------------------------------------------- real file bytes (shared with test_scan)


_made = itertools.count()


def pdf_bytes(
    pages: int = 1, *, user_password: str | None = None, owner_password: str | None = None, padding: int = 0
) -> bytes:
    """A real PDF; every call gives different bytes (so two files are never accidental duplicates)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": f"test file {next(_made)}", "/Keywords": "x" * padding})
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(size[0]):  # some detail, so a JPEG has a real entropy-coded body
        image.putpixel((x, x % size[1]), (x * 3 % 256, 90, 10))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def zip_bytes(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
XLSX = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
OFD = {"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"}


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def inspect(tmp_path: Path, name: str, data: bytes) -> filecheck.Content:
    path = write(tmp_path / name, data)
    return filecheck.inspect_file(path, name, filenames.parse_file_name(name).ext)


def codes(content: filecheck.Content) -> list[str]:
    return [p.code for p in content.problems]


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (pdf_bytes(), "pdf"),
        (b"\xef\xbb\xbf" + pdf_bytes(), "pdf"),  # a few junk bytes before %PDF are allowed
        (image_bytes("PNG"), "png"),
        (image_bytes("JPEG"), "jpg"),
        (zip_bytes(DOCX), "docx"),
        (zip_bytes(XLSX), "xlsx"),
        (zip_bytes(OFD), "ofd"),
        (zip_bytes({"a.txt": b"x"}), "zip"),
        (zip_bytes(DOCX)[:40], "zip-broken"),
        ("中文纯文本，逗号,分隔\n".encode() * 50, "text"),
        ("GBK 编码的文字".encode("gb18030") * 20, "text"),
        (bytes(range(256)) * 4, "unknown"),
    ],
)
def test_sniff_reads_the_content_not_the_name(data: bytes, kind: str) -> None:
    assert filecheck.sniff(io.BytesIO(data)) == kind


# --------------------------------------------------------------------------- PDF


def test_good_pdf_has_pages_and_hash(tmp_path: Path) -> None:
    data = pdf_bytes(3)
    content = inspect(tmp_path, "2023-市爱卫办-计划.pdf", data)
    assert (content.filetype, content.pages, content.problems) == ("pdf", 3, [])
    import hashlib

    assert content.sha256 == hashlib.sha256(data).hexdigest()
    assert content.size_read == len(data)


def test_truncated_pdf_is_an_error(tmp_path: Path) -> None:
    data = pdf_bytes(3)
    content = inspect(tmp_path, "x.pdf", data[: len(data) // 2])
    assert codes(content) == ["pdf-truncated"]
    assert content.problems[0].level is Level.ERROR
    assert content.pages is None
    assert "x.pdf" not in content.problems[0].message  # the scan files it under the file: the place is data


def test_pdf_header_with_garbage_is_corrupt(tmp_path: Path) -> None:
    content = inspect(tmp_path, "x.pdf", b"%PDF-1.7\n this is not a pdf body \n%%EOF\n")
    assert codes(content) == ["pdf-corrupt"]
    assert content.problems[0].level is Level.ERROR


def test_repairable_pdf_is_a_warning_with_pages(tmp_path: Path) -> None:
    """pypdf strict refuses a wrong startxref offset; qpdf repairs it: warn, keep the page count."""
    data = pdf_bytes(2)
    cut = data.rfind(b"startxref")
    content = inspect(tmp_path, "x.pdf", data[:cut] + b"startxref\n9999\n%%EOF\n")
    assert codes(content) == ["pdf-corrupt"]
    assert content.problems[0].level is Level.WARNING
    assert content.pages == 2


def test_pdf_with_user_password_is_an_error(tmp_path: Path) -> None:
    content = inspect(tmp_path, "x.pdf", pdf_bytes(2, user_password="secret", owner_password="owner"))
    assert codes(content) == ["pdf-encrypted"]
    assert content.problems[0].level is Level.ERROR
    assert content.pages is None


def test_pdf_with_owner_restrictions_only_is_a_warning(tmp_path: Path) -> None:
    content = inspect(tmp_path, "x.pdf", pdf_bytes(2, user_password="", owner_password="owner"))
    assert codes(content) == ["pdf-encrypted"]
    assert content.problems[0].level is Level.WARNING
    assert content.pages == 2


def test_text_named_pdf_is_corrupt(tmp_path: Path) -> None:
    content = inspect(tmp_path, "x.pdf", "这不是 PDF".encode())
    assert codes(content) == ["pdf-corrupt"]


# --------------------------------------------------------------------------- type vs extension


def test_png_named_pdf_is_ext_mismatch(tmp_path: Path) -> None:
    content = inspect(tmp_path, "x.pdf", image_bytes("PNG"))
    assert content.filetype == "png"
    assert codes(content) == ["ext-mismatch"]
    assert ".pdf" in content.problems[0].message and "PNG" in content.problems[0].message


def test_pdf_named_docx_is_ext_mismatch_and_still_counted(tmp_path: Path) -> None:
    content = inspect(tmp_path, "x.docx", pdf_bytes(4))
    assert (content.filetype, content.pages) == ("pdf", 4)
    assert codes(content) == ["ext-mismatch"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.docx", zip_bytes(DOCX)),
        ("x.xlsx", zip_bytes(XLSX)),
        ("x.ofd", zip_bytes(OFD)),
        ("x.zip", zip_bytes(DOCX)),  # a docx is a zip too
        ("x.JPEG", image_bytes("JPEG")),
        ("x.csv", b"a,b\n1,2\n"),
        ("x.unknownext", bytes(range(256))),  # not a type we check
    ],
)
def test_matching_types_have_no_problem(tmp_path: Path, name: str, data: bytes) -> None:
    assert inspect(tmp_path, name, data).problems == []


def test_xlsx_named_docx_is_ext_mismatch(tmp_path: Path) -> None:
    assert codes(inspect(tmp_path, "x.docx", zip_bytes(XLSX))) == ["ext-mismatch"]


def test_truncated_docx_is_file_corrupt(tmp_path: Path) -> None:
    data = zip_bytes({**DOCX, "word/media/big.bin": os.urandom(4000)})
    assert codes(inspect(tmp_path, "x.docx", data[: len(data) // 2])) == ["file-corrupt"]


def test_text_named_docx_is_file_corrupt(tmp_path: Path) -> None:
    assert codes(inspect(tmp_path, "x.docx", b"hello")) == ["file-corrupt"]


# --------------------------------------------------------------------------- images


def test_truncated_png_is_unreadable(tmp_path: Path) -> None:
    data = image_bytes("PNG", (300, 200))
    assert codes(inspect(tmp_path, "x.png", data[: len(data) - 30])) == ["image-unreadable"]


def test_truncated_jpeg_is_unreadable(tmp_path: Path) -> None:
    data = image_bytes("JPEG", (400, 300))
    content = inspect(tmp_path, "x.jpg", data[: len(data) * 2 // 3])
    assert codes(content) == ["image-unreadable"]
    assert content.problems[0].level is Level.ERROR


def test_good_images_pass(tmp_path: Path) -> None:
    for fmt, ext in (("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("BMP", "bmp")):
        assert inspect(tmp_path, f"x.{ext}", image_bytes(fmt)).problems == [], fmt


def test_empty_file(tmp_path: Path) -> None:
    content = inspect(tmp_path, "x.pdf", b"")
    assert (content.filetype, content.size_read, content.problems) == ("empty", 0, [])


# --------------------------------------------------------------------------- reading safely


def test_open_readonly_refuses_symlinks(tmp_path: Path) -> None:
    target = write(tmp_path / "real.pdf", pdf_bytes())
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    with pytest.raises(OSError):
        open_readonly(link)


def test_digests_stream_large_files(tmp_path: Path) -> None:
    import hashlib

    data = os.urandom(3 * (1 << 20) + 17)
    path = write(tmp_path / "big.bin", data)
    with open_readonly(path) as handle:
        assert digests_of(handle) == (hashlib.sha256(data).hexdigest(), zlib.crc32(data), len(data))


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "years", "unit", "title", "issue"),
    [
        ("2023-市爱卫办-登封市2023年爱国卫生工作计划.pdf", (2023,), "市爱卫办", "登封市2023年爱国卫生工作计划", None),
        ("２０２３－市爱卫办－计划－第二版.ＰＤＦ", (2023,), "市爱卫办", "计划－第二版", None),
        ("2023＿市爱卫办＿计划.pdf", (2023,), "市爱卫办", "计划", None),
        ("2022至2024-市卫健委-三年方案.pdf", (2022, 2023, 2024), "市卫健委", "三年方案", None),
        ("2022～2024-市卫健委-方案.pdf", (2022, 2023, 2024), "市卫健委", "方案", None),
        ("2022–2024-市卫健委-方案.pdf", (2022, 2023, 2024), "市卫健委", "方案", None),
        ("2022-2024-市卫健委-方案-修订稿.pdf", (2022, 2023, 2024), "市卫健委", "方案-修订稿", None),
        ("2023年-市爱卫办-计划.pdf", (2023,), "市爱卫办", "计划", None),
        ("2023 - 市爱卫办 - 标题 😀 v1.2 final.pdf", (2023,), "市爱卫办", "标题 😀 v1.2 final", None),
        ("市爱卫办-工作计划.pdf", (), "市爱卫办", "工作计划", "no-year"),
        ("工作计划.pdf", (), "", "工作计划", "bad-name"),
        ("2023-工作计划.pdf", (2023,), "", "工作计划", "bad-name"),
        ("20233-市爱卫办-计划.pdf", (), "市爱卫办", "计划", "bad-year"),
        ("1850-市爱卫办-计划.pdf", (), "市爱卫办", "计划", "bad-year"),
        ("2024至2022-市爱卫办-计划.pdf", (), "市爱卫办", "计划", "bad-year"),
        ("2023-市爱卫办-.pdf", (2023,), "市爱卫办", "", "bad-name"),
        ("2023-市爱卫办-计划", (), "", "2023-市爱卫办-计划", "bad-name"),
        ("<img src=x onerror=alert(1)>.pdf", (), "", "<img src=x onerror=alert(1)>", "bad-name"),
    ],
)
def test_parse_file_name(name: str, years: tuple, unit: str, title: str, issue: str | None) -> None:
    parts = filenames.parse_file_name(name)
    assert (parts.years, parts.unit_raw, parts.title, parts.issue) == (years, unit, title, issue)
    if issue:
        assert parts.detail  # always says why, in Chinese


def test_full_width_extension_is_normalised() -> None:
    assert filenames.parse_file_name("2023-市爱卫办-照片．ＪＰＥＧ").ext == "jpg"


@pytest.mark.parametrize(
    ("name", "number", "canonical"),
    [("03", 3, True), ("03-年度计划", 3, True), ("０３", 3, True), ("3", 3, False), ("第3条", 3, False),
     ("3-年度计划", 3, False), ("2023", None, False), ("年度计划", None, False), ("03.1-计划", None, False)],
)
def test_parse_item_folder(name: str, number: int | None, canonical: bool) -> None:
    parsed = filenames.parse_item_folder(name)
    assert (parsed.number, parsed.canonical) == (number, canonical)


@pytest.mark.parametrize(
    ("name", "material", "canonical"),
    [("03.1", "03.1", True), ("03.1-年度工作计划", "03.1", True), ("０３．１-计划", "03.1", True),
     ("3.1", "03.1", False), ("03.01", "03.1", False), ("03.1 计划", "03.1", False), ("年度计划", None, False)],
)
def test_parse_material_folder(name: str, material: str | None, canonical: bool) -> None:
    parsed = filenames.parse_material_folder(name)
    assert (parsed.material, parsed.canonical) == (material, canonical)


def test_example_name_uses_the_files_own_words() -> None:
    parts = filenames.parse_file_name("市爱卫办2024年工作总结.pdf")
    example = filenames.example_name(parts, unit=None, year=2025, unit_names=["市爱卫办", "爱卫办"])
    assert example == "2024-市爱卫办-2024年工作总结.pdf"


@pytest.mark.parametrize(
    ("component", "bad"),
    [("a:b.pdf", True), ("why?.pdf", True), ('say "hi".pdf', True), ("a|b.pdf", True), ("CON.pdf", True),
     ("nul", True), ("com1.txt", True), ("LPT9.doc", True), ("name.", True), ("name ", True),
     ("CONSOLE.pdf", False), ("正常的名字.pdf", False), ("a-b_c (1).pdf", False)],
)
def test_windows_trouble(component: str, bad: bool) -> None:
    assert bool(filenames.windows_trouble(component)) is bad


def test_id_number_check_digit() -> None:
    assert filenames.id_check_ok("11010519491231002X")
    assert not filenames.id_check_ok("110105194912310021")
    assert filenames.personal_data("张三-11010519491231002X") == ["身份证号"]
    assert filenames.personal_data("张三-110105194912310021") == []  # a bad check digit is just a number
    assert filenames.personal_data("联系人13912345678") == ["手机号"]
    assert filenames.personal_data("联系人１３９１２３４５６７８") == ["手机号"]  # full-width digits too
    assert filenames.personal_data("编号 12912345678 与 2023123456789") == []


@pytest.mark.parametrize("name", ["~$计划.docx", ".DS_Store", "Thumbs.db", "desktop.ini", "._x.pdf", ".~lock.x.docx#"])
def test_junk_names(name: str) -> None:
    assert filenames.junk_reason(name)


def test_ordinary_names_are_not_junk() -> None:
    assert not filenames.junk_reason("2023-市爱卫办-计划.pdf")
