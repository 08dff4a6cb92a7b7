"""A copy of a photo without its metadata (EXIF with GPS position, XMP, IPTC, comments, maker trailers).

A phone photo of a street stall carries where and when it was taken and by which phone; a site published on
the intranet (or further) must not. The department's file is only read: the copy is written beside, in the
cache, atomically.

A JPEG is copied losslessly, segment by segment, keeping only what the picture needs (JFIF, the ICC colour
profile, Adobe's colour transform, the tables and the scans) and stopping at the end of the first image
(a multi-picture JPEG's other images carry their own EXIF). A JPEG whose EXIF turns it (orientation ≠ 1)
is decoded and saved upright instead: without its EXIF it would show on its side. Other formats are
decoded and saved again with Pillow, with no metadata.
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

log = logging.getLogger(__name__)

SOI, EOI, SOS = b"\xff\xd8", b"\xff\xd9", 0xDA
APP0, APP2, APP14, COM = 0xE0, 0xE2, 0xEE, 0xFE
KEPT_APPS = {APP0: b"JFIF", APP2: b"ICC_PROFILE\x00", APP14: b"Adobe"}
# Markers with no length: TEM, RST0–RST7.
_BARE = {0x01, *range(0xD0, 0xD8)}
ORIENTATION = 0x0112
JPEG_QUALITY = 92  # only for a JPEG that must be turned upright


class NotStripped(Exception):
    """The file could not be read as an image: no clean copy exists, so nothing may be published."""


def write_clean_copy(source: Path, target: Path) -> None:
    """Write ``source`` without metadata to ``target`` (atomically); raises NotStripped when unreadable."""
    data = Path(source).read_bytes()
    if data.startswith(SOI) and _orientation(source) in (None, 1):
        try:
            clean = strip_jpeg(data)
        except ValueError as exc:
            log.debug("JPEG segments of %s unreadable (%s); saving it again", source, exc)
            clean = None
        if clean is not None:
            _write(target, clean)
            return
    _resave(source, target)


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG ``data`` with only the segments the picture needs; ValueError when it is not well formed."""
    if not data.startswith(SOI):
        raise ValueError("no SOI marker")
    out = [SOI]
    at = 2
    while at < len(data):
        if data[at] != 0xFF:
            raise ValueError(f"no marker at byte {at}")
        marker = data[at + 1] if at + 1 < len(data) else None
        if marker is None:
            raise ValueError("truncated marker")
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _BARE:
            out.append(data[at:at + 2])
            at += 2
            continue
        if marker == EOI[1]:
            break
        if at + 4 > len(data):
            raise ValueError("truncated segment length")
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise ValueError(f"bad segment length at byte {at}")
        if marker == SOS:
            # The scans run to the image's end: FF D9 cannot occur inside entropy-coded data (FF is stuffed).
            stop = data.find(EOI, end)
            if stop < 0:
                raise ValueError("no EOI after the scan")
            out.append(data[at:stop])
            break
        if _kept(marker, data[at + 4:end]):
            out.append(data[at:end])
        at = end
    out.append(EOI)
    return b"".join(out)


def _kept(marker: int, body: bytes) -> bool:
    if marker == COM or 0xE0 <= marker <= 0xEF:
        signature = KEPT_APPS.get(marker)
        return signature is not None and body.startswith(signature)
    return True  # tables, frame header, restart interval …: the picture itself


def _orientation(source: Path) -> int | None:
    from PIL import Image

    try:
        with Image.open(source) as image:
            return image.getexif().get(ORIENTATION)
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a damaged file; the copy step decides
        return None


def _resave(source: Path, target: Path) -> None:
    """Decode and save again in the same format, upright, with an empty ``info`` (no EXIF, XMP, text)."""
    import io

    from PIL import Image, ImageOps

    try:
        with Image.open(source) as image:
            kind = image.format or "PNG"
            upright = ImageOps.exif_transpose(image)
            upright.info = {}
            if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            buffer = io.BytesIO()
            options = {"quality": JPEG_QUALITY} if kind == "JPEG" else {}
            upright.save(buffer, kind, **options)
    except Exception as exc:  # Pillow raises many kinds for a damaged or unsupported image
        raise NotStripped(str(exc)) from exc
    _write(target, buffer.getvalue())


def _write(target: Path, data: bytes) -> None:
    from handbook.util.atomic import write_bytes

    write_bytes(target, data)
