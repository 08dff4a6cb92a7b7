"""Paths and names inside the package: Windows-safe, numbered, and every path under 150 characters.

The package is three zips, each with one top folder so that unpacking never spills files::

    1-上传资料-<城市>-<年度>.zip   上传资料-<城市>-<年度>/<NN>-<栏目>.pdf (or 之一.pdf, 之二.pdf …; an OFD as it is)
    2-评审资料-<城市>-<年度>.zip   评审资料-<城市>-<年度>/
                                     README.txt  SHA256SUMS  总目录.xlsx  卷内目录.xlsx  卷内目录.pdf  数据评价指标.xlsx
                                     分项佐证/<类>-<类名>/<项>-<项名>/<NN.K>-<资料名>/<NN.K>-<序号>-<年份>-<单位>-<标题>.pdf
                                     分项佐证/未归类/<序号>-<原文件名>     files that name no known item or material
    3-内部清单-<城市>-<年度>.zip   内部清单-<城市>-<年度>/内部清单.xlsx 缺失资料清单.xlsx 转换原件/… (the office's own)
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass
from pathlib import PurePosixPath

from pathvalidate import sanitize_filename

from handbook.model import Archive, EvidenceFile, Kind, Material, Slot
from handbook.outputs.package.zipper import PackageError

log = logging.getLogger(__name__)

MAX_PATH = 150  # every path inside the package has fewer characters than this
EVIDENCE_DIR = "分项佐证"
# The three parts: (number, name). Each is one zip with one top folder; the build folder holds all three.
UPLOAD, REVIEW, INTERNAL = (1, "上传资料"), (2, "评审资料"), (3, "内部清单")
UNSORTED_DIR = "未归类"
UNLISTED_MATERIAL = "未列入清单的资料"
# Caps on folder labels keep the directory part short, leaving most of the budget to file titles.
_CAP_CITY, _CAP_CATEGORY, _CAP_ITEM, _CAP_MATERIAL, _CAP_UNIT, _CAP_EXT = 12, 12, 16, 18, 12, 8
_MIN_TITLE = 6
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)  # folder labels repeat for every file of a material
def safe_name(text: str, max_len: int | None = None, *, fallback: str = "_") -> str:
    """One Windows-safe path component: no reserved characters or names, no trailing dot or space."""
    text = _SPACES.sub(" ", text).strip()
    if max_len is not None:
        text = text[:max_len]
    clean = _sanitize(text).strip(" .")
    # Sanitising can lengthen a reserved name ("CON" → "CON_"), so cut again, then re-check the end.
    if max_len is not None and len(clean) > max_len:
        clean = clean[:max_len].rstrip(" .")
    return clean or fallback


# Characters Windows refuses in a name (pathvalidate's list), and its reserved device names.
_WINDOWS_BAD = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|]')
_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|clock\$|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)")


def _sanitize(text: str) -> str:
    # Most names are already fine: skip pathvalidate (about 0.1 ms a call; a package names every file).
    if text == text.strip() and not text.endswith(".") and not _WINDOWS_BAD.search(text) and not _RESERVED.match(text):
        return text
    # pathvalidate caps a name at 255 *bytes* (85 Chinese characters) and then drops the extension, so
    # long text is cleaned in pieces; reserved names (CON, AUX.txt, …) only matter for short names.
    if len(text) <= 60:
        return str(sanitize_filename(text, replacement_text="_", platform="windows"))
    pieces = (text[i : i + 60] for i in range(0, len(text), 60))
    return "".join(
        str(sanitize_filename(p, replacement_text="_", platform="windows")) for p in pieces
    )


def short_label(prefix: str, title: str, cap: int) -> tuple[str, bool]:
    """``prefix-title`` within ``cap`` characters, cut only between words; (label, whether it was shortened).

    The prefix (a category, item or material number) is always kept whole; the title keeps as many of its
    leading words (jieba's segmentation: Chinese has no spaces) as fit, so a reviewer never sees a folder
    ending in half a word ("…考核结"). The 总目录 lists every shortened folder with its full title.
    """
    full = safe_name(f"{prefix}-{title}")
    if len(full) <= cap:
        return full, False
    kept = ""
    for word in _words(title):
        if len(prefix) + 1 + len(kept) + len(word) > cap:
            break
        kept += word
    kept = kept.rstrip("的和及与、，,（(·-_ ")
    return safe_name(f"{prefix}-{kept}" if kept else prefix), True


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    import jieba  # about 0.6 s to load its dictionary: only when a label is too long

    jieba.setLogLevel(logging.WARNING)
    return tuple(jieba.cut(text, HMM=False))


def _city_year(archive: Archive) -> str:
    plan = archive.project.plan
    return f"{safe_name(plan.city, _CAP_CITY)}-{plan.review_year}"


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (parts of a split slot: 之一, 之二 …)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{_DIGITS[tens] if tens > 1 else ''}十{_DIGITS[ones] if ones else ''}"


def _labelled(prefix: str, title: str, cap: int) -> tuple[str, str]:
    label, shortened = short_label(prefix, title, cap)
    return label, f"{prefix}-{title}" if shortened else ""


def years_label(years: tuple[int, ...]) -> str:
    if not years:
        return "无年度"
    low, high = min(years), max(years)
    return str(low) if low == high else f"{low}至{high}"


def extension(name: str) -> str:
    """Lower-case extension with its dot, '' when none; over-long or odd extensions are dropped."""
    suffix = PurePosixPath(name).suffix.lower()
    if not suffix or len(suffix) > _CAP_EXT or not re.fullmatch(r"\.[0-9a-z]+", suffix):
        return ""
    return suffix


@dataclass(frozen=True, slots=True)
class Layout:
    root: str  # the package's top folder, e.g. "资料评估材料包-登封市-2026"
    zip_name: str  # e.g. "资料评估材料包-登封市-2026.zip"

    @classmethod
    def for_archive(cls, archive: Archive, part: tuple[int, str] = REVIEW) -> Layout:
        """The layout of one part: top folder ``<part>-<city>-<year>``, zip ``<n>-<part>-<city>-<year>.zip``."""
        base = safe_name(f"{part[1]}-{_city_year(archive)}")
        return cls(root=base, zip_name=f"{part[0]}-{base}.zip")

    @staticmethod
    def folder_for(archive: Archive) -> str:
        """The build folder that holds the three zips (renamed into place as one unit)."""
        return safe_name(f"资料评估材料包-{_city_year(archive)}")

    def path(self, *parts: str) -> str:
        """A path inside the zip (posix separators), checked against the length budget."""
        full = "/".join((self.root, *parts))
        if len(full) >= MAX_PATH:
            raise ValueError(f"包内路径超过 {MAX_PATH - 1} 个字符：{full}")
        return full

    # ------------------------------------------------------------------ upload slots

    def slot_stem(self, slot: Slot, position: int, kind: Kind) -> str:
        return safe_name(f"{position:02d}-{slot.title_for(kind)}", 40)

    def slot_file(self, slot: Slot, position: int, kind: Kind, part: int = 0, ext: str = ".pdf") -> str:
        """``NN-栏目.pdf``, or ``NN-栏目之一.pdf`` … for a slot split to stay under the size limit."""
        suffix = f"之{chinese_number(part)}" if part else ""
        return self.path(f"{self.slot_stem(slot, position, kind)}{suffix}{ext}")

    # ------------------------------------------------------------------ per-item evidence

    def material_dir(self, archive: Archive, file: EvidenceFile) -> tuple[str, ...]:
        """Folders (below the root) for a file; unknown item or material → an 未归类 folder."""
        return tuple(label for label, _ in self.material_dir_titles(archive, file))

    def material_dir_titles(self, archive: Archive, file: EvidenceFile) -> list[tuple[str, str]]:
        """Each folder of ``material_dir`` with its full title when it was shortened ('' when not)."""
        standard = archive.project.standard
        item = standard.items.get(file.item) if file.item is not None else None
        if item is None:
            return [(EVIDENCE_DIR, ""), (UNSORTED_DIR, "")]
        category = next((c for c in standard.categories if c.number == item.category), None)
        category_title = category.title if category else "未知类别"
        folders = [(EVIDENCE_DIR, ""),
                   _labelled(str(item.category), category_title, _CAP_CATEGORY + 2),
                   _labelled(item.code, item.title, _CAP_ITEM + 3)]
        material = standard.material(file.material) if file.material else None
        if material and material.item == item.number:
            folders.append(_labelled(material.id, material.title, _CAP_MATERIAL + 5))
        else:
            folders.append((UNLISTED_MATERIAL, ""))
        return folders

    def evidence_name(self, file: EvidenceFile, material: Material | None, seq: int, width: int,
                      folders: tuple[str, ...], *, ext: str | None = None) -> str:
        """``NN.K-序号-年份-单位-标题.ext``; files outside the checklist keep ``序号-原文件名``.

        ``ext`` replaces the file's own extension (a converted Word file is named ``….pdf``)."""
        own = extension(file.name)
        ext = own if ext is None else ext
        if material is None:
            stem = PurePosixPath(file.name).stem if own else file.name
            prefix = f"{seq:0{width}d}-"
            title = stem
        else:
            unit = safe_name(file.unit or file.unit_raw or "未知单位", _CAP_UNIT)
            prefix = f"{material.id}-{seq:0{width}d}-{years_label(file.years)}-{unit}-"
            title = file.title or PurePosixPath(file.name).stem
        return self._fit(prefix, title, ext, folders)

    def fit_name(self, file_name: str, folders: tuple[str, ...]) -> str:
        ext = extension(file_name)
        stem = file_name[: -len(ext)] if ext else file_name
        return self._fit("", stem, ext, folders)

    def _fit(self, prefix: str, title: str, ext: str, folders: tuple[str, ...]) -> str:
        """Truncate the title (never the prefix or extension) so the whole path stays in budget."""
        used = len(self.root) + sum(len(f) + 1 for f in folders) + 1  # separators included
        room = MAX_PATH - 1 - used - len(prefix) - len(ext)
        if room < _MIN_TITLE:
            raise ValueError(f"包内文件夹路径过长，文件名已无空间：{'/'.join((self.root, *folders))}")
        safe_title = safe_name(title, room, fallback="无标题")
        return safe_name(f"{prefix}{safe_title}", None) + ext


def unique_names(names: list[str]) -> list[str]:
    """Guard against case-insensitive clashes (Windows): append ~2, ~3 … keeping the extension."""
    seen: set[str] = set()
    result = []
    for name in names:
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            tag = f"~{n}"
            stem, dot, ext = name.rpartition(".")
            if not dot:
                stem, ext = name, ""
            # Replace the end of the stem rather than grow the name: the path budget is already spent.
            candidate = stem[: max(1, len(stem) - len(tag))] + tag + (f".{ext}" if dot else "")
        seen.add(candidate.lower())
        result.append(candidate)
    return result


@contextmanager
def _named(file: EvidenceFile):
    """Turn the layout's "path too long" ValueError into a PackageError that names the file and the fix."""
    try:
        yield
    except ValueError as error:
        raise PackageError(
            f"evidence/{file.path}：无法生成少于 {MAX_PATH} 个字符的包内路径（{error}）"
            "— 请缩短文件名中的标题（或单位简称），必要时缩短它所在的资料文件夹名，然后重新打包"
        ) from error


def _folder_order(folders: tuple[str, ...]) -> tuple:
    # Numbered folders in numeric order ("2-…" before "10-…"); 未归类 last.
    if len(folders) < 4:
        return (1, folders)
    category = int(folders[1].split("-", 1)[0]) if folders[1].split("-", 1)[0].isdigit() else 99
    return (0, category, folders[2], folders[3] == UNLISTED_MATERIAL, _material_number(folders[3]), folders)


def _material_number(folder: str) -> tuple[int, int]:
    head = folder.split("-", 1)[0]
    item, _, k = head.partition(".")
    return (int(item), int(k)) if item.isdigit() and k.isdigit() else (999, 999)


def _file_order(file: EvidenceFile) -> tuple:
    # Chronological inside a material folder, as a 卷内目录 is: oldest year first, then unit and title.
    return (min(file.years, default=9999), max(file.years, default=9999), file.unit or file.unit_raw, file.title, file.path)
