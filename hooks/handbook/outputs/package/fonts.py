"""Find a TrueType CJK font to embed in generated PDFs (卷内目录, image captions).

PDF viewers on the reviewers' machines may have no Chinese font, and reportlab's built-in CJK fonts are
not embedded, so we embed a real font file. ``fc-list :lang=zh`` is asked first; well-known Debian paths
are the fallback when fontconfig itself is missing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fpdf takes ~0.7 s to import; a site build that only links to the package never needs it
    from fpdf import FPDF

log = logging.getLogger(__name__)

# Preferred first: sans faces read best in small table cells; WenQuanYi is the smallest install.
_PREFERRED = ("wqy-microhei", "wqy-zenhei", "NotoSansCJK-Regular", "NotoSansCJKsc-Regular", "NotoSerifCJK-Regular")
_KNOWN_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
# Faces inside Noto's .ttc are ordered JP, KR, SC, TC, HK; we want the simplified-Chinese one.
_FACE_HINTS = ("SC", "CN")
_USABLE_SUFFIXES = (".ttf", ".ttc", ".otf")


class FontMissingError(RuntimeError):
    """No CJK font on this machine; the message says which Debian package to install."""


@dataclass(frozen=True, slots=True)
class CjkFont:
    path: Path
    index: int = 0  # face number inside a .ttc collection
    covers: frozenset[str] | None = None  # a subset's characters (subset_for); None: the whole font

    @property
    def family(self) -> str:
        return "handbook-cjk"

    def has(self, text: str) -> bool:
        """Whether every character of ``text`` is in this font (a whole font: as far as we know)."""
        return self.covers is None or self.covers.issuperset(text)


def find_cjk_font() -> CjkFont:
    """Return an embeddable Chinese font, or raise FontMissingError with the install command."""
    faces = _fc_list_faces() or [(Path(p), 0, "") for p in _KNOWN_PATHS if Path(p).is_file()]
    if not faces:
        raise FontMissingError(
            "找不到可嵌入 PDF 的中文字体，无法生成卷内目录和图片说明页。"
            "请安装字体后重试：sudo apt-get install fonts-wqy-microhei"
            "（Debian/Ubuntu 软件包 fonts-wqy-microhei）。"
        )
    path, index, family = min(faces, key=_rank)
    log.debug("CJK font: %s (face %d, %s)", path, index, family)
    return CjkFont(path, index)


# Always in a subset: what the page furniture may draw whatever the texts (digits, Latin, CJK punctuation).
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u3000、。，：；？！（）《》“”‘’—…·－　"


def subset_for(font: CjkFont, texts: Iterable[str], folder: Path) -> CjkFont:
    """A copy of ``font`` with only the glyphs of ``texts`` (and ``_ALWAYS``), written into ``folder``.

    fpdf parses the whole font file for every document it embeds it in: 0.5 s for WenQuanYi's 30,000 glyphs,
    21 of the 33 s of a 1 GB package whose 40 photo PDFs each embed it. The package's photo captions are known
    before their PDFs are written, so the font is cut down once to their characters. Whatever fails here
    (an odd font file) gives the whole font back: slower, never wrong."""
    chars = frozenset(_ALWAYS).union(*texts)
    try:
        from fontTools import subset, ttLib

        with ttLib.TTFont(str(font.path), fontNumber=font.index, lazy=True, recalcTimestamp=False) as full:  # only the glyphs kept are read
            cmap = full.getBestCmap() or {}
            wanted = {c for c in chars if ord(c) in cmap}
            options = subset.Options(notdef_outline=True, name_IDs=["*"], name_languages=["*"],
                                     glyph_names=True, layout_features=[])
            options.drop_tables += ["FFTM"]  # FontForge's timestamp: fontTools would warn it cannot cut it
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=[ord(c) for c in wanted])
            subsetter.subset(full)
            fd, name = tempfile.mkstemp(dir=folder, prefix="font-", suffix=".ttf")
            os.close(fd)
            full.save(name)
    except Exception as error:  # noqa: BLE001 - fontTools raises many types for odd fonts; the full font works
        log.debug("字体子集未生成（%s），照片说明页使用完整字体", error)
        return font
    return CjkFont(Path(name), 0, frozenset(wanted))


def _rank(face: tuple[Path, int, str]) -> tuple[int, int, int, str, int]:
    path, index, family = face
    file_rank = next((n for n, stem in enumerate(_PREFERRED) if path.name.startswith(stem)), len(_PREFERRED))
    # Within a collection: not the monospaced face, and the simplified-Chinese one (Noto: "... SC").
    mono = 1 if "mono" in family.lower() else 0
    simplified = 0 if any(f" {hint}" in family for hint in _FACE_HINTS) or "Micro Hei" in family else 1
    return file_rank, mono, simplified, str(path), index


def _fc_list_faces() -> list[tuple[Path, int, str]]:
    if not shutil.which("fc-list"):
        return []
    try:
        output = subprocess.run(
            ["fc-list", ":lang=zh", "file", "index", "family"],
            capture_output=True, text=True, timeout=30, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in output.splitlines():
        # "/path/font.ttc: Family,Other names:index=2"
        path_text, _, rest = line.partition(": ")
        path = Path(path_text.strip())
        if path.suffix.lower() not in _USABLE_SUFFIXES or not path.is_file():
            continue
        family, _, index_text = rest.rpartition(":index=")
        try:
            index = int(index_text)
        except ValueError:
            family, index = rest, 0
        faces.append((path, index, family))
    return faces


def new_pdf(font: CjkFont, created: dt.datetime, title: str = "", cls: type[FPDF] | None = None) -> FPDF:
    """An A4 fpdf2 document with the CJK font embedded and a fixed creation date (reproducible bytes)."""
    if cls is None:
        from fpdf import FPDF as default

        cls = default
    pdf = cls(format="A4", unit="mm")
    pdf.set_creation_date(created)
    pdf.set_producer("handbook")
    pdf.set_creator("handbook")
    if title:
        pdf.set_title(title)
    pdf.add_font(font.family, "", str(font.path), collection_font_number=font.index)
    pdf.set_font(font.family, size=10.5)
    return pdf
