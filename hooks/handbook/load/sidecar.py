"""The optional sidecar beside an evidence file: ``<same name>.yml`` with what a file name cannot say.

```yaml
doc_number: 登爱卫〔2023〕3号
doc_type: 规范性文件        # 法规 / 规章 / 规范性文件 / 公文 / 其他
issuer: 登封市人民政府办公室
issued: 2023-02-15
effective: 2023-03-01
pages: "3-7"               # the pages of this file that are the evidence
also_for: ["05.1", "07.2"] # other materials this one file also serves (no copies)
restricted: true           # personal data inside: list it, never publish it
note: 原件存市档案馆
```

Read with ``handbook.load.yamlload`` (lines kept, duplicate keys rejected, no yes/no booleans, dates kept as
text so a wrong one is named with its line). Every problem becomes a ``sidecar-error`` Problem on the
file the sidecar belongs to; the fields that were right are kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from handbook.problems import listing, suggest, warning
from handbook.util.text import nfkc, personal_data
from handbook.util.files import open_readonly
from handbook.util.faults import processing
from handbook.model import Level, Problem, Sidecar, Standard, Where
from handbook.load.yamlload import LineDict, LineList, load_yaml_text
from handbook.load.fields import Fields, Source, shown

log = logging.getLogger(__name__)

SUFFIXES = (".yml", ".yaml")
KEYS = ("doc_number", "doc_type", "issuer", "issued", "effective", "pages", "also_for", "restricted", "note")
DOC_TYPES = ("法规", "规章", "规范性文件", "公文", "其他")
MAX_BYTES = 256 * 1024  # a sidecar is a few lines; anything bigger is not one

# People write the Chinese names of the fields; point them to the key that means the same.
CHINESE_KEYS = {
    "文号": "doc_number", "发文字号": "doc_number", "字号": "doc_number",
    "类型": "doc_type", "文件类型": "doc_type", "文种": "doc_type", "类别": "doc_type",
    "发文单位": "issuer", "发文机关": "issuer", "印发单位": "issuer", "发布单位": "issuer",
    "印发日期": "issued", "发文日期": "issued", "发布日期": "issued", "成文日期": "issued", "日期": "issued",
    "生效日期": "effective", "施行日期": "effective", "实施日期": "effective",
    "页码": "pages", "页": "pages", "页数": "pages",
    "同时用于": "also_for", "也用于": "also_for", "also": "also_for",
    "不公开": "restricted", "限制": "restricted", "涉密": "restricted", "个人信息": "restricted",
    "备注": "note", "说明": "note", "notes": "note",
}
_PAGES = re.compile(r"^\d+(?:\s*-\s*\d+)?(?:\s*,\s*\d+(?:\s*-\s*\d+)?)*$")
_MATERIAL_ID = re.compile(r"^\d{2}\.\d{1,3}$")


@dataclass(slots=True)
class SidecarResult:
    sidecar: Sidecar
    problems: list[Problem] = field(default_factory=list)


def read_sidecar(path: Path, rel: str, standard: Standard) -> SidecarResult:
    """Parse the sidecar at ``path`` (``rel``: its path as shown in messages). Never raises."""
    with processing(rel):
        return _read_sidecar(path, rel, standard)


def _read_sidecar(path: Path, rel: str, standard: Standard) -> SidecarResult:
    text, problem = _read_text(path, rel)
    if problem:
        return SidecarResult(Sidecar(), [problem])
    data, diagnostics = load_yaml_text(text, rel)
    result = SidecarResult(Sidecar())
    if data is None and not diagnostics:
        return result  # an empty sidecar says nothing, and that is fine
    if data is not None and not isinstance(data, dict):
        diagnostics.append(_diag(Level.ERROR, rel, getattr(data, "line", 0), "说明文件应是“字段: 值”的列表",
                                 f"按格式写，如 doc_type: 公文；可用字段：{listing(KEYS)}"))
    elif isinstance(data, dict):
        fields = cast(LineDict, data)  # the line-keeping loader makes every mapping a LineDict
        result.sidecar = _fields(fields, rel, standard, diagnostics)
        _personal_data(fields, rel, result.sidecar, diagnostics)
    result.problems = [_problem(d) for d in diagnostics]
    return result


def _read_text(path: Path, rel: str) -> tuple[str, Problem | None]:
    try:
        with open_readonly(path) as handle:  # never through a symlink; sidecars are tiny
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return "", Problem("sidecar-error", f"无法读取说明文件（{exc.strerror}）", "检查文件权限", Level.ERROR, Where(rel))
    if len(raw) > MAX_BYTES:
        return "", Problem("sidecar-error", f"说明文件超过 {MAX_BYTES // 1024} KB，不像是说明文件",
                           "说明文件只写几行字段；若这是材料本身，请改成材料允许的格式", Level.ERROR, Where(rel))
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return "", Problem("sidecar-error", "说明文件不是 UTF-8 编码",
                           "用记事本或 VS Code 以 UTF-8 编码另存", Level.ERROR, Where(rel))


def _diag(level: Level, file: str, line: int, problem: str, fix: str) -> Problem:
    return Problem("sidecar-error", problem, fix, level, Where(file, line))


def _problem(problem: Problem) -> Problem:
    """A problem of the sidecar, filed under its material file: the place stays the sidecar's file and line."""
    code = "personal-data" if problem.code == "personal-data" else "sidecar-error"
    return replace(problem, code=code)


def _fields(data: LineDict, rel: str, standard: Standard, diagnostics: list[Problem]) -> Sidecar:
    src = Source(rel, diagnostics)
    _unknown_keys(data, src)
    reader = Fields(src, data, "说明文件", list(data))  # unknown keys were reported above, with Chinese hints
    sidecar = Sidecar(
        doc_number=_text(reader, "doc_number"),
        doc_type=_doc_type(reader),
        issuer=_text(reader, "issuer"),
        issued=reader.date("issued"),
        effective=reader.date("effective"),
        pages=_pages(reader),
        also_for=_also_for(reader, standard),
        restricted=reader.flag("restricted"),
        note=_text(reader, "note"),
    )
    if sidecar.issued and sidecar.effective and sidecar.effective < sidecar.issued:
        src.warning(reader.line("effective"), f"生效日期 {sidecar.effective} 早于印发日期 {sidecar.issued}",
                    "核对两个日期是否写反", "sidecar-error")
    return sidecar


def _unknown_keys(data: LineDict, src: Source) -> None:
    for key in data:
        if key in KEYS:
            continue
        name = str(key)
        nearest = CHINESE_KEYS.get(name.strip()) or suggest(name, KEYS)
        fix = f"是否应为“{nearest}”？" if nearest else f"可用字段：{listing(KEYS)}"
        src.error(data.key_line(key), f"说明文件中有未知字段“{shown(name)}”", fix, "sidecar-error")


def _text(reader: Fields, key: str) -> str:
    value = reader.raw(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # a bare number is still a fine 文号 or note
    return reader.text(key) or ""


def _doc_type(reader: Fields) -> str:
    value = _text(reader, "doc_type")
    if not value or value in DOC_TYPES:
        return value
    plain = nfkc(value).strip()
    if plain in DOC_TYPES:
        return plain
    nearest = suggest(value, DOC_TYPES)
    fix = f"是否应为“{nearest}”？" if nearest else ""
    reader.src.error(reader.line("doc_type"), f"文件类型“{shown(value)}”无效",
                     f"{fix}只能写 {listing(DOC_TYPES)} 之一".lstrip(), "sidecar-error")
    return ""


def _pages(reader: Fields) -> str:
    value = reader.raw("pages")
    if value is None:
        return ""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if text is None or not _PAGES.match(nfkc(text)):
        reader.src.error(reader.line("pages"), f"页码“{shown(value)}”无法识别",
                         '写成 "3-7"（第 3 到 7 页）、"5" 或 "1,3-5"，加引号', "sidecar-error")
        return ""
    return nfkc(text).replace(" ", "")


def _also_for(reader: Fields, standard: Standard) -> tuple[str, ...]:
    value = reader.raw("also_for")
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    lines = [value.item_line(i) for i in range(len(items))] if isinstance(value, LineList) else None
    known = [m.id for m in standard.materials]
    found: list[str] = []
    for index, entry in enumerate(items):
        line = lines[index] if lines else reader.line("also_for")
        material = _material_id(entry, line, reader.src, known)
        if material and material not in found:
            found.append(material)
    return tuple(found)


def _material_id(entry: Any, line: int, src: Source, known: list[str]) -> str | None:
    if isinstance(entry, float):
        # ``also_for: [03.2]`` without quotes is read as the number 3.2; say so, but keep the id.
        whole, _, part = repr(entry).partition(".")
        guess = f"{int(whole):02d}.{part}"
        if guess in known:
            src.warning(line, f"资料编号 {entry} 没有加引号，被读成了数字", f'写成 "{guess}"（加引号）', "sidecar-error")
            return guess
    text = nfkc(str(entry)).strip() if isinstance(entry, (str, int, float)) and not isinstance(entry, bool) else ""
    if _MATERIAL_ID.match(text) and text in known:
        return text
    nearest = suggest(text, known) if text else None
    fix = f"是否应为“{nearest}”？" if nearest else "写成标准中已有的资料编号，如 \"03.1\"（见各条目页面的资料清单）"
    src.error(line, f"also_for 中的资料编号“{shown(entry)}”不存在", fix, "sidecar-error")
    return None


def _personal_data(data: LineDict, rel: str, sidecar: Sidecar, diagnostics: list[Problem]) -> None:
    text = " ".join(str(v) for v in data.values() if isinstance(v, (str, int)) and not isinstance(v, bool))
    kinds = personal_data(text)
    if kinds and not sidecar.restricted:
        diagnostics.append(warning(
            Where(rel), f"说明文件中似乎含有{'和'.join(kinds)}",
            "删去个人信息；如文件本身含个人信息，在说明文件中写 restricted: true（不在网站公开）", "personal-data"))

