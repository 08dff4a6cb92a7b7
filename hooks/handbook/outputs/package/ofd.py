"""OFD (GB/T 33190) files checked with the standard library: a zip holding OFD.xml, documents and pages.

The package includes an OFD as it is (the upload system takes OFD); this check only says how many pages it
has and whether it carries an electronic signature (a ``Signatures.xml`` or files under ``Signs/``), and
refuses a file that is not a readable OFD.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

_PAGE = re.compile(r"(?:^|/)Pages/Page_?\d+/Content\.xml$", re.IGNORECASE)
_PAGE_REF = re.compile(rb"<(?:ofd:)?Page\b[^>]*BaseLoc=", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class OfdInfo:
    pages: int
    signed: bool
    error: str = ""  # Chinese: why the file is not a usable OFD; '' when it is

    @property
    def ok(self) -> bool:
        return not self.error


def check_ofd(path: Path) -> OfdInfo:
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            if "OFD.xml" not in names:
                return OfdInfo(0, False, "不是有效的 OFD 文件（压缩包里没有 OFD.xml）")
            if package.testzip() is not None:
                return OfdInfo(0, False, "OFD 文件已损坏（压缩内容校验失败）")
            pages = sum(1 for n in names if _PAGE.search(n))
            if not pages:  # page folders named otherwise: count the Document.xml page entries
                pages = sum(len(_PAGE_REF.findall(package.read(n))) for n in names
                            if n.lower().endswith("document.xml"))
            signed = any(n.lower().endswith("signatures.xml") or "/signs/" in f"/{n.lower()}" for n in names)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        return OfdInfo(0, False, f"OFD 文件已损坏，无法打开（{error}）")
    if not pages:
        return OfdInfo(0, signed, "OFD 文件中没有页面")
    return OfdInfo(pages, signed)
