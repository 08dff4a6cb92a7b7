"""Small real Office files with Chinese text, written at test time (Office Open XML by hand, xlsx by openpyxl).

python-docx and python-pptx are not dependencies, so the .docx and .pptx are the few XML parts Word and
PowerPoint need; LibreOffice opens them as it opens files saved by Office.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _write(path: Path, parts: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            package.writestr(info, text)
    return path


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs)
    return _write(path, {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
                        f'<Relationship Id="rId1" Type="{_DOC}" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>',
    })


def make_xlsx(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def make_pptx(path: Path, text: str) -> Path:
    ct = "application/vnd.openxmlformats-officedocument.presentationml"
    slide = (f'<?xml version="1.0" encoding="UTF-8"?><p:sld xmlns:p="{_P}" xmlns:a="{_A}" xmlns:r="{_R}"><p:cSld><p:spTree>'
             '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
             '<p:sp><p:nvSpPr><p:cNvPr id="2" name="标题"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
             '<p:spPr><a:xfrm><a:off x="457200" y="457200"/><a:ext cx="8229600" cy="1143000"/></a:xfrm>'
             '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>'
             f'<p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang="zh-CN" sz="3200"/><a:t>{text}</a:t></a:r></a:p></p:txBody>'
             '</p:sp></p:spTree></p:cSld></p:sld>')
    return _write(path, {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/ppt/presentation.xml" ContentType="{ct}.presentation.main+xml"/>'
            f'<Override PartName="/ppt/slides/slide1.xml" ContentType="{ct}.slide+xml"/></Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
                        f'<Relationship Id="rId1" Type="{_DOC}" Target="ppt/presentation.xml"/></Relationships>'),
        "ppt/presentation.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="{_P}" xmlns:r="{_R}">'
            '<p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst>'
            '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>'),
        "ppt/_rels/presentation.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId2" Type="{_R}/slide" Target="slides/slide1.xml"/></Relationships>'),
        "ppt/slides/slide1.xml": slide,
    })


def make_broken_docx(path: Path) -> Path:
    """Starts like a zip (so the scan calls it docx) but the archive is cut short."""
    whole = make_docx(path.with_suffix(".whole"), ["完整内容"]).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    path.with_suffix(".whole").unlink()
    return path
