"""Reading the evidence contract out of folder and file names, without ever renaming anything.

Folders: the item folder ``03`` or ``03-标签``; the material folder ``03.1`` or ``03.1-标签``.
Files: ``<年份>-<单位>-<标题>.<扩展名>``, the year a 4-digit year or a span (``2022至2024``).

Liaisons type on Chinese keyboards, so full-width digits, hyphens, underscores and dots
(``２０２３－市爱卫办－…．ｐｄｆ``) are read as their ASCII forms (NFKC), character by character so
that the title keeps exactly the characters that were written. The name on disk is never changed.

Also here: checks that need only the name (Windows-unsafe names, path length, junk files, personal
data such as 身份证号 and mobile numbers).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from handbook.util.text import id_check_ok, nfkc, personal_data  # noqa: F401  (re-exported for the scan)

log = logging.getLogger(__name__)

NAME_SEPARATORS = frozenset("-_")  # after NFKC: "－" → "-", "＿" → "_"
SPAN_MARKS = "至到~〜–—―‐"  # between two years; "-" works too when the second year is followed by the unit
FIRST_YEAR, LAST_YEAR = 1949, 2099
MAX_SPAN_YEARS = 10

_YEAR = re.compile(r"^(\d{4})$")
_SPAN = re.compile(rf"^(\d{{4}})\s*[{SPAN_MARKS}\-]\s*(\d{{4}})$")
_YEAR_ANYWHERE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_ITEM_FOLDER = re.compile(r"^(\d{1,3})(?!\d)(?:\s*[-_\s]\s*(.*))?$")
_ITEM_PREFIX = re.compile(r"^(?:第\s*)?(\d{1,3})(?!\d)\s*(?:条|项)?(?:\s*[-_\s]\s*(.*)|(.*))?$")
_MATERIAL_FOLDER = re.compile(r"^(\d{1,3})\s*\.\s*(\d{1,3})(?!\d)(?:\s*[-_\s]\s*(.*)|(.*))?$")
_CANONICAL_ITEM = re.compile(r"^\d{2}(?:[-_].*)?$")
_CANONICAL_MATERIAL = re.compile(r"^(\d{2}\.\d{1,3})(?:[-_].*)?$")

# Extensions that mean the same kind of file; the material's ``formats`` use the first spelling.
EXT_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif", "yaml": "yml", "htm": "html"}


@functools.lru_cache(maxsize=4096)
def _char(char: str) -> str:
    """NFKC of one character (cached: names are read character by character)."""
    return unicodedata.normalize("NFKC", char)


def normalise_ext(ext: str) -> str:
    ext = nfkc(ext).strip().lower()
    return EXT_ALIASES.get(ext, ext)


# --------------------------------------------------------------------------- folders


@dataclass(frozen=True, slots=True)
class ItemFolder:
    number: int | None  # the item number read from the name, None when there is none
    label: str
    canonical: bool  # written exactly as the contract asks (two digits, optional "-label")


def parse_item_folder(name: str) -> ItemFolder:
    """``03`` / ``03-组织管理`` are canonical; ``3``, ``第3条``, ``０３`` still yield the number."""
    text = nfkc(name).strip()
    match = _ITEM_FOLDER.match(text)
    if match:
        digits, label = match.group(1), (match.group(2) or "").strip()
        canonical = bool(_CANONICAL_ITEM.match(text))
        return ItemFolder(int(digits), label, canonical)
    match = _ITEM_PREFIX.match(text)
    if match and not _MATERIAL_FOLDER.match(text):
        label = (match.group(2) or match.group(3) or "").strip()
        return ItemFolder(int(match.group(1)), label, False)
    return ItemFolder(None, text, False)


@dataclass(frozen=True, slots=True)
class MaterialFolder:
    material: str | None  # normalised id "NN.K", None when the name holds no id
    item: int | None
    label: str
    canonical: bool


def parse_material_folder(name: str) -> MaterialFolder:
    """``03.1`` / ``03.1-年度工作计划`` are canonical; ``3.1``, ``03．1 计划`` still yield ``03.1``."""
    text = nfkc(name).strip()
    match = _MATERIAL_FOLDER.match(text)
    if not match:
        return MaterialFolder(None, None, text, False)
    item, k = int(match.group(1)), int(match.group(2))
    label = (match.group(3) or match.group(4) or "").strip()
    material = f"{item:02d}.{k}"
    written = _CANONICAL_MATERIAL.match(text)
    canonical = written is not None and written.group(1) == material
    return MaterialFolder(material, item, label, canonical)


# --------------------------------------------------------------------------- file names


@dataclass(frozen=True, slots=True)
class NameParts:
    """What a file name says; ``issue`` is the first contract break found (a Problem code) or None."""

    name: str
    stem: str
    ext: str  # normalised: lower case, no dot, "jpeg" → "jpg"; "" when there is none
    ext_raw: str
    years: tuple[int, ...] = ()
    year_raw: str = ""
    unit_raw: str = ""
    title: str = ""
    issue: str | None = None  # "bad-name", "no-year" or "bad-year"
    detail: str = ""  # why, in Chinese


def split_ext(name: str) -> tuple[str, str]:
    for index in range(len(name) - 1, 0, -1):
        if _char(name[index]) == ".":
            return name[:index], name[index + 1 :]
    return name, ""


def _split_parts(stem: str, limit: int) -> list[str]:
    """Split at the first ``limit`` separators, keeping each part's original characters."""
    parts: list[str] = []
    start = 0
    for index, char in enumerate(stem):
        if len(parts) == limit:
            break
        if _char(char) in NAME_SEPARATORS:
            parts.append(stem[start:index])
            start = index + 1
    parts.append(stem[start:])
    return parts


def _year_text(raw: str) -> str:
    """``２０２３年`` → ``2023``; ``2022年至2024年`` → ``2022至2024``."""
    return nfkc(raw).strip().replace("年度", "").replace("年", "").strip()


def parse_years(raw: str) -> tuple[tuple[int, ...], str]:
    """The years a year field names, and "" — or (), and why not (Chinese)."""
    text = _year_text(raw)
    match = _YEAR.match(text)
    if match:
        first = last = int(match.group(1))
    else:
        match = _SPAN.match(text)
        if not match:
            if not text:
                return (), "年份为空"
            return (), f"“{raw}”不是 4 位年份，也不是“2022至2024”这样的年份跨度"
        first, last = int(match.group(1)), int(match.group(2))
    for year in (first, last):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return (), f"年份 {year} 不合理（应在 {FIRST_YEAR}–{LAST_YEAR} 之间）"
    if last < first:
        return (), f"年份跨度“{raw}”前后颠倒，应写成 {last}至{first}"
    if last - first > MAX_SPAN_YEARS:
        return (), f"年份跨度“{raw}”超过 {MAX_SPAN_YEARS} 年，请核对"
    return tuple(range(first, last + 1)), ""


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in nfkc(text))


# Characters nobody sees: printed, a name looks right and still fails to match (see invisible_characters).
INVISIBLE = {
    "\u200b": "零宽空格", "\u200c": "零宽非连接符", "\u200d": "零宽连接符", "\u2060": "零宽不换行符",
    "\ufeff": "字节顺序标记（BOM）", "\u00ad": "软连字符", "\u200e": "从左到右标记", "\u200f": "从右到左标记",
    **{chr(c): "文字方向控制符" for c in range(0x202A, 0x202F)}, **{chr(c): "文字方向控制符" for c in range(0x2066, 0x206A)},
}
# Typed where "-" was meant: em and en dashes, the other dashes, the ideographic (full-width) space, a space.
LOOKALIKE_SEPARATORS = "—–―‐‑‒−\u3000 "
_LOOKALIKE_RUN = re.compile(f"[{LOOKALIKE_SEPARATORS}]+")
_TRAILING = ". \u3000\t"


def without_invisible(text: str) -> str:
    return "".join(c for c in text if c not in INVISIBLE)


def invisible_characters(name: str) -> list[str]:
    """The invisible characters in ``name``, each named once with its code point and position (1-based)."""
    found: dict[str, str] = {}
    for index, char in enumerate(name, start=1):
        if char in INVISIBLE and char not in found:
            found[char] = f"{INVISIBLE[char]}（U+{ord(char):04X}，第 {index} 个字符）"
    return list(found.values())


@functools.lru_cache(maxsize=1 << 16)
def parse_file_name(name: str) -> NameParts:
    """Read ``<年份>-<单位>-<标题>.<扩展名>``; parts that can be read are kept even when others cannot.

    Invisible characters are left out of the reading (they are reported on their own), and a dot or space
    after the extension is reported with the name it should have (``….pdf.`` → ``….pdf``, not ``.pdf.pdf``).

    Cached: the scan, the package and the /changes/ page read the same names, and ``mkdocs serve`` reads
    them again on every rebuild (the answer is frozen, so a caller cannot change what the next one gets).
    """
    visible = without_invisible(name)
    trimmed = visible.rstrip(_TRAILING)
    if trimmed and trimmed != visible:
        inner = _parse_file_name(trimmed)
        tail = visible[len(trimmed):]
        what = "点" if set(tail) == {"."} else "空格" if not tail.strip(" \u3000\t") else "点和空格"
        detail = f"文件名末尾（扩展名之后）多了{what}：Windows 会把它去掉，网站和材料包里的文件名也会出错"
        return dataclasses.replace(inner, name=name, issue=inner.issue or "bad-name", detail=inner.detail or detail)
    parts = _parse_file_name(visible)
    return dataclasses.replace(parts, name=name) if visible != name else parts


def _parse_file_name(name: str) -> NameParts:
    stem, ext_raw = split_ext(name)
    parts: dict[str, Any] = {"name": name, "stem": stem, "ext": normalise_ext(ext_raw), "ext_raw": ext_raw}

    def fail(issue: str, detail: str) -> NameParts:
        return NameParts(**parts, issue=issue, detail=detail)

    if not ext_raw or not stem.strip():
        parts["title"] = stem.strip() or name
        return fail("bad-name", "文件名没有扩展名（如 .pdf）" if not ext_raw else "文件名只有扩展名")
    pieces = [p.strip() for p in _split_parts(stem, 2)]
    if len(pieces) == 1:
        parts["title"] = stem.strip()
        lookalike = sorted({c for c in stem if c in LOOKALIKE_SEPARATORS})
        if lookalike:
            shown = "、".join("全角空格" if c == "\u3000" else "空格" if c == " " else f"“{c}”" for c in lookalike)
            return fail("bad-name", f"文件名用{shown}分隔“年份-单位-标题”，应使用半角短横线 -")
        return fail("bad-name", "文件名缺少“年份-单位-标题”三段（没有分隔用的短横线 -）")
    if not _has_digit(pieces[0]):
        # No year: read the rest as unit and title so the file still shows its unit.
        parts.update(unit_raw=pieces[0], title=_rejoin(stem, 1))
        return fail("no-year", "文件名开头缺少年份")
    pieces = _join_dash_span(stem, pieces)
    year_raw = pieces[0]
    years, why = parse_years(year_raw)
    parts.update(
        year_raw=year_raw,
        unit_raw=pieces[1] if len(pieces) > 2 else "",
        title=_rejoin(stem, 2 + year_raw.count("-")) if len(pieces) > 2 else pieces[1],
        years=years,
    )
    if why:
        return fail("bad-year", why)
    if len(pieces) == 2:
        return fail("bad-name", "文件名只有两段，缺少单位或标题（应为“年份-单位-标题”）")
    if not parts["unit_raw"]:
        return fail("bad-name", "单位一段是空的")
    if not parts["title"]:
        return fail("bad-name", "标题一段是空的")
    return NameParts(**parts)


def _join_dash_span(stem: str, pieces: list[str]) -> list[str]:
    """``2022-2024-单位-标题``: a second 4-digit year right after the first is a span, not the unit."""
    if len(pieces) >= 3 and _YEAR.match(_year_text(pieces[0])) and _YEAR.match(_year_text(pieces[1])):
        more = [p.strip() for p in _split_parts(stem, 3)]
        if len(more) >= 4:
            return [f"{more[0]}-{more[1]}", more[2], more[3]]
    return pieces


def _rejoin(stem: str, skip: int) -> str:
    """The stem after its first ``skip`` separators, as written (titles may contain hyphens)."""
    pieces = _split_parts(stem, skip)
    return pieces[-1].strip() if len(pieces) > skip else ""


def find_year(text: str) -> int | None:
    match = _YEAR_ANYWHERE.search(nfkc(text))
    return int(match.group(1)) if match else None


def find_unit(text: str, names: list[str]) -> str | None:
    """The longest known unit name or alias written anywhere in ``text``."""
    plain = nfkc(text)
    found = [n for n in names if n and (n in text or nfkc(n) in plain)]
    return max(found, key=len) if found else None


def example_name(parts: NameParts, *, unit: str | None, year: int, unit_names: list[str]) -> str:
    """A contract-following name built from the file's own words, for the fix text."""
    title = parts.title or parts.stem
    loose = _LOOKALIKE_RUN.split(parts.stem.strip(), maxsplit=2) if not parts.unit_raw else []
    if len(loose) == 3 and find_year(loose[0]):  # "2024—市爱卫办—计划": the three parts, dashes mistyped
        title, unit = loose[2], unit or find_unit(loose[1], unit_names) or loose[1]
    unit = unit or find_unit(parts.stem, unit_names) or "单位简称"
    found_year = next(iter(parts.years), None) or find_year(parts.stem) or year
    if unit in title and title != unit:
        title = title.replace(unit, "", 1)
    if not parts.years:  # "2025 市城管局 台账": the year is said once ("2025年工作计划" keeps its words)
        title = re.sub(rf"^\s*{found_year}(?=[\s\-_－＿]|$)", "", title)
    title = " ".join(title.split()).strip(" -_－＿") or "标题"
    ext = parts.ext_raw or "pdf"
    return f"{found_year}-{unit}-{title}.{ext}"


# --------------------------------------------------------------------------- names that break elsewhere


WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# Where a reviewer typically unpacks the package on Windows; paths beyond 260 characters fail there.
WINDOWS_BASE = "C:\\Users\\Administrator\\Desktop\\国家卫生城市复审资料\\evidence\\"
PATH_WARN, PATH_ERROR = 150, 240


_WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@functools.lru_cache(maxsize=8192)
def windows_trouble(component: str) -> str:
    """Why ``component`` (one folder or file name) cannot exist on Windows, or ""."""
    bad = sorted(set(_WINDOWS_BAD.findall(component)))
    if bad:
        shown = " ".join(repr(c)[1:-1] if ord(c) < 32 else c for c in bad)
        return f"含有 Windows 不允许的字符 {shown}"
    if component.split(".", 1)[0].strip().upper() in WINDOWS_RESERVED:
        return f"“{component.split('.', 1)[0]}”是 Windows 的保留设备名"
    if component.endswith((".", " ")):
        return "以点或空格结尾（Windows 会把它去掉，文件就找不到了）"
    return ""


def windows_path_length(rel_path: str) -> int:
    return len(WINDOWS_BASE) + len(rel_path)


JUNK_NAMES = {".ds_store": "macOS 的文件夹配置", "thumbs.db": "Windows 缩略图缓存", "ehthumbs.db": "Windows 缩略图缓存",
              "desktop.ini": "Windows 文件夹配置", ".gitkeep": "空文件夹占位文件", ".keep": "空文件夹占位文件"}
JUNK_FOLDERS = {"__macosx": "macOS 压缩包附带的资源文件夹"}


def junk_reason(name: str) -> str:
    """Why a file is not evidence but left-over clutter, or ""."""
    lower = name.lower()
    if lower in JUNK_NAMES:
        return JUNK_NAMES[lower]
    if name.startswith("~$"):
        return "Office 打开文件时留下的锁定文件"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "WPS/LibreOffice 打开文件时留下的锁定文件"
    if name.startswith("._"):
        return "macOS 附带的资源文件"
    return ""
