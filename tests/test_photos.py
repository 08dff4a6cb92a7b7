"""Photos on the site: finding photos served without their metadata (GPS!), the office's file never changed;
evidence photos shown as thumbnails on item pages."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from handbook.render.thumbs import Photos
from handbook.util.image_metadata import strip_jpeg, write_clean_copy

ROOT = Path(__file__).resolve().parent.parent
GPS_IFD = 0x8825
DENGFENG_GPS = {1: "N", 2: (34.0, 27.0, 30.0), 3: "E", 4: (113.0, 2.0, 10.0)}


def _jpeg_with_gps(size=(800, 600), orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"  # Make
    exif[0x0112] = orientation
    exif[GPS_IFD] = DENGFENG_GPS
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG", exif=exif, comment=b"taken at stall 7")
    return buffer.getvalue()


def _photos_folder(root: Path) -> Path:
    folder = root / "evidence" / "findings" / "photos"
    folder.mkdir(parents=True)
    return folder


def _no_metadata(data: bytes) -> None:
    assert b"Exif" not in data and b"TestPhone" not in data and b"stall 7" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(GPS_IFD) == {}


def test_a_finding_photo_is_published_without_gps_and_the_original_is_untouched(tmp_path):
    original = _jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(GPS_IFD)[1] == "N"  # the test photo really carries a position
    photo = _photos_folder(tmp_path) / "DF-001-整改前.jpg"
    photo.write_bytes(original)
    photos = Photos(tmp_path / "evidence", tmp_path / "cache")

    view = photos.finding_photo("DF-001-整改前.jpg", restricted=False)

    served = dict(photos.static_files())
    assert view["uri"] == "evidence/findings/photos/DF-001-整改前.jpg"
    assert view["thumb"].startswith("assets/thumbs/") and view["thumb"].endswith(".jpg")
    assert sorted(served) == sorted([view["uri"], view["thumb"]])
    published = served[view["uri"]]
    assert published != photo and published.parent == tmp_path / "cache" / "photos"
    _no_metadata(published.read_bytes())
    _no_metadata(served[view["thumb"]].read_bytes())
    with Image.open(published) as image:
        assert image.size == (800, 600)
    assert photo.read_bytes() == original  # the department's file: not a byte changed


def test_a_turned_photo_is_published_upright_without_its_exif(tmp_path):
    photo = _photos_folder(tmp_path) / "turned.jpg"
    photo.write_bytes(_jpeg_with_gps(orientation=6))  # 6: the camera was held on its side
    photos = Photos(tmp_path / "evidence", tmp_path / "cache")
    view = photos.finding_photo("turned.jpg", restricted=False)
    published = dict(photos.static_files())[view["uri"]].read_bytes()
    _no_metadata(published)
    with Image.open(io.BytesIO(published)) as image:
        assert image.size == (600, 800)


def test_a_png_with_exif_is_saved_again_without_it(tmp_path):
    exif = Image.Exif()
    exif[GPS_IFD] = DENGFENG_GPS
    source = tmp_path / "a.png"
    Image.new("RGB", (40, 30), (0, 90, 0)).save(source, "PNG", exif=exif)
    with Image.open(source) as image:
        assert image.getexif().get_ifd(GPS_IFD) != {}
    target = tmp_path / "clean.png"
    write_clean_copy(source, target)
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size == (40, 30)
        assert dict(image.getexif()) == {}


def test_strip_jpeg_keeps_the_picture_segments_and_drops_metadata_and_trailers():
    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + (len(body) + 2).to_bytes(2, "big") + body

    jfif = segment(0xE0, b"JFIF\x00\x01\x01")
    exif = segment(0xE1, b"Exif\x00\x00GPS")
    xmp = segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x/>")
    comment = segment(0xFE, b"secret")
    icc = segment(0xE2, b"ICC_PROFILE\x00\x01\x01prof")
    mpf = segment(0xE2, b"MPF\x00data")
    dqt = segment(0xDB, b"\x00" + bytes(64))
    scan = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\xff\x00\x34"
    trailer = b"\xff\xd8" + exif + b"\xff\xd9"  # a multi-picture JPEG's second image, with its own EXIF
    data = b"\xff\xd8" + jfif + exif + xmp + comment + icc + mpf + dqt + scan + b"\xff\xd9" + trailer
    assert strip_jpeg(data) == b"\xff\xd8" + jfif + icc + dqt + scan + b"\xff\xd9"


def test_strip_jpeg_refuses_a_broken_file():
    with pytest.raises(ValueError):
        strip_jpeg(b"\xff\xd8\xff\xe1\x00")


def test_an_unreadable_photo_is_named_not_published(tmp_path):
    (_photos_folder(tmp_path) / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    photos = Photos(tmp_path / "evidence", tmp_path / "cache")
    assert photos.finding_photo("broken.jpg", restricted=False) == {"name": "broken.jpg", "uri": None, "thumb": None,
                                                                   "private": False}
    assert photos.static_files() == []


def test_item_pages_show_evidence_photos_as_thumbnails_opening_the_photo(tmp_path):
    from handbook.pipeline import build_archive
    from handbook.render import render_site

    archive = build_archive(ROOT, today=dt.date(2026, 11, 23), cache_dir=tmp_path / "hashes", git=False)
    photos = Photos(archive.evidence_root, tmp_path / "cache")
    page = render_site(archive, photos=photos)["items/43.md"]
    name = "2023-红十字会-登封市2023年重点行业人群急救培训材料现场照片.jpg"
    link = f'<a href="../../evidence/43-AED与急救培训/43.2-重点行业人群急救培训材料/{name}" target="_blank" title="打开原图">'
    start = page.index(link) + len(link)
    image = page[start:page.index(">", start) + 1]
    assert image.startswith('<img class="hb-thumb" src="../../assets/thumbs/')
    assert image.endswith('alt="登封市2023年重点行业人群急救培训材料现场照片" loading="lazy">')
    thumb = "assets/thumbs/" + image.split("assets/thumbs/")[1].split('"')[0]
    served = dict(photos.static_files())
    with Image.open(served[thumb]) as small:
        assert max(small.size) <= 320
    assert page.count('class="hb-thumb"') == 4  # 43.2's four photos (three JPEG, one PNG); the PDFs get none
    shutil.rmtree(tmp_path / "cache")
