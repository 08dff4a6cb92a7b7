"""Where a file sits and what it is called: the item and material folders, the name contract, the whole
path; each check returns Problems with the fix (the nearest valid folder, unit or year)."""

from __future__ import annotations

import difflib
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from handbook.scan import names as fn
from handbook.problems import suggest
from handbook.scan.content import Content
from handbook.model import EvidenceFile, Level, Problem, Project
from handbook.scan.walk import Entry, display

log = logging.getLogger(__name__)


class ScanContext:
    """What every file's checks need, computed once per scan."""

    def __init__(self, project: Project, root: Path, folders: dict[tuple[str, ...], list[str]]) -> None:
        self.project = project
        self.standard = project.standard
        self.plan = project.plan
        self.root_real = os.path.realpath(root)
        self.folders = folders
        names = list(self.plan.alias_index) or [n for u in self.plan.units.values() for n in u.names]
        self.unit_names = sorted(set(names), key=lambda n: (-len(n), n))
        self.sample_year = max((y for y in self.plan.window if y < self.plan.review_year), default=self.plan.review_year)
        self.places: dict[tuple[str, ...], Place] = {}
        self.not_counted: set[int] = set()  # id() of files that serve no material (junk, links, orphans)
        self.foreign: dict[str, Problem] = {}  # raw path → why it is someone else's file (hard link, device)

    def place(self, folder: tuple[str, ...]) -> Place:
        if folder not in self.places:
            self.places[folder] = _place_of(folder, self)
        return self.places[folder]

    def resolve_unit(self, raw: str) -> str | None:
        for candidate in dict.fromkeys((raw, raw.strip(), fn.nfkc(raw).strip(), "".join(fn.nfkc(raw).split()))):
            unit = self.plan.resolve_unit(candidate)
            if unit is not None:
                return unit.name
            if candidate in self.plan.units:
                return candidate
        return None


@dataclass(slots=True)
class Place:
    item: int | None = None
    material: str | None = None
    problems: list[Problem] = field(default_factory=list)
    junk: str = ""


def _place_of(folder: tuple[str, ...], ctx: ScanContext) -> Place:
    place = Place()
    junk_folder = next((fn.JUNK_FOLDERS[p.lower()] for p in folder if p.lower() in fn.JUNK_FOLDERS), "")
    if junk_folder:
        place.junk = junk_folder
        return place
    if not folder:
        place.problems.append(Problem("file-in-root", "文件直接放在 evidence/ 下，不属于任何条目",
                                      "移到对应的条目和资料文件夹中，如 evidence/03/03.1-年度工作计划/"))
        return place
    _item_folder(folder[0], place, ctx)
    if len(folder) == 1:
        place.problems.append(_file_in_item_folder(folder, place, ctx))
        return place
    _material_folder(folder, place, ctx)
    if len(folder) > 2:
        target = "/".join(folder[:2])
        place.problems.append(Problem("nested-folder", f"资料文件夹下又建了子文件夹“{'/'.join(folder[2:])}”",
                                      f"把文件直接放到 {target}/ 中，年份和单位写在文件名里", Level.WARNING))
    return place


def _item_folder(name: str, place: Place, ctx: ScanContext) -> None:
    items = ctx.standard.items
    parsed = fn.parse_item_folder(name)
    if parsed.number is not None and parsed.number in items:
        place.item = parsed.number
        if not parsed.canonical:
            good = items[parsed.number].code + (f"-{parsed.label}" if parsed.label else "")
            place.problems.append(Problem("bad-item-folder", f"条目文件夹“{name}”名称不规范",
                                          f"改名为 {good}（两位条目编号，可加“-说明”）"))
        return
    material = fn.parse_material_folder(name)
    if material.material and ctx.standard.material(material.material):
        place.item, place.material = material.item, material.material
        code = f"{material.item:02d}"
        place.problems.append(Problem("bad-item-folder", f"资料文件夹“{name}”直接放在了 evidence/ 下",
                                      f"放到条目文件夹中：{code}/{name}/"))
        return
    if parsed.number is not None:
        why = f"标准中没有第 {parsed.number} 条（共 {len(items)} 条：{min(items)}–{max(items)}）" if items else "标准未载入"
        place.problems.append(Problem("bad-item-folder", f"条目文件夹“{name}”：{why}", "条目文件夹用两位条目编号命名，如 03 或 03-年度计划"))
        return
    by_label = {f"{n:02d}-{items[n].title}": n for n in sorted(items)} | {items[n].title: n for n in sorted(items)}
    nearest = fn_suggest(name, list(by_label))
    if nearest is not None:
        number = by_label[nearest]
        fix = f"是否应为 {items[number].code}-{items[number].title}？条目文件夹以两位条目编号开头"
    else:
        fix = "条目文件夹以两位条目编号开头，如 03 或 03-年度计划与卫生创建"
    place.problems.append(Problem("bad-item-folder", f"“{name}”不是条目文件夹（名称开头没有条目编号）", fix))


def _file_in_item_folder(folder: tuple[str, ...], place: Place, ctx: ScanContext) -> Problem:
    existing = [n for n in ctx.folders.get(folder, []) if fn.parse_material_folder(n).material]
    if existing:
        where = "、".join(f"{folder[0]}/{n}/" for n in existing[:8])
        fix = f"移到对应的资料文件夹中：{where}"
    elif place.item in ctx.standard.items:
        materials = ctx.standard.items[place.item].materials
        where = "、".join(f"{m.id}-{m.title}/" for m in materials)
        fix = f"在 {folder[0]}/ 下新建资料文件夹再放入，本条目的资料有：{where}" if where else "先在本条目下建资料文件夹"
    else:
        fix = "放到 条目/资料 两级文件夹中，如 03/03.1-年度工作计划/"
    return Problem("file-in-item-folder", f"文件直接放在条目文件夹“{folder[0]}”下，没有放进资料文件夹", fix)


def point_to_likely_materials(file: EvidenceFile, item: int, ctx: ScanContext) -> None:
    """A file lying directly in an item folder: name the item's materials its title most resembles first."""
    materials = ctx.standard.items[item].materials if item in ctx.standard.items else []
    if not materials:
        return
    def likeness(material) -> float:
        return difflib.SequenceMatcher(None, file.title, material.title, autojunk=False).ratio()
    ranked = sorted(materials, key=likeness, reverse=True)
    folder = file.path.split("/", 1)[0]
    existing: dict[str | None, str] = {}  # material id → the folder already made for it (its own label), else id-title
    for name in ctx.folders.get((folder,), []):
        material = fn.parse_material_folder(name).material
        existing.setdefault(material, name)
    where = "、".join(f"{folder}/{existing.get(m.id, f'{m.id}-{m.title}')}/" for m in ranked[:3])
    for index, problem in enumerate(file.problems):
        if problem.code == "file-in-item-folder":
            fix = f"移到资料文件夹中（文件夹不存在就新建），最可能是：{where}"
            file.problems[index] = replace(problem, fix=fix)


def _material_folder(folder: tuple[str, ...], place: Place, ctx: ScanContext) -> None:
    name = folder[1]
    parsed = fn.parse_material_folder(name)
    material = ctx.standard.material(parsed.material) if parsed.material else None
    item = ctx.standard.items.get(place.item) if place.item is not None else None
    if material is not None:
        place.material = material.id
        if item is not None and material.item != item.number:
            place.problems.append(Problem("bad-material-folder", f"资料文件夹“{name}”：资料 {material.id}（{material.title}）属于第 {material.item} 条，不属于第 {item.number} 条",
                                          f"移到 {material.item:02d}/{name}/ 下"))
        elif not parsed.canonical:
            good = material.id + (f"-{parsed.label}" if parsed.label else f"-{material.title}")
            place.problems.append(Problem("bad-material-folder", f"资料文件夹“{name}”名称不规范", f"改名为 {good}"))
        return
    choices = item.materials if item is not None else ctx.standard.materials
    by_title = {m.title: m for m in choices}
    # A wrong id says nothing about the right one; the label (or a bare title) does.
    titled = fn_suggest(parsed.label or name, list(by_title)) if (parsed.label or not parsed.material) else None
    hint = by_title.get(titled) if titled else None
    if parsed.material:
        why = f"标准中没有资料 {parsed.material}"
    elif fn.parse_years(name)[0]:
        why = "不要按年份建文件夹，年份写在文件名里"
    else:
        why = "名称开头没有资料编号"
    fix = f"是否应为 {hint.id}-{hint.title}？" if hint else ""
    shown = choices if item is not None else choices[:8]  # all of one item's (at most a dozen), not all 180
    listing = "、".join(f"{m.id}-{m.title}" for m in shown)
    fix += f"资料文件夹以资料编号开头，本条目的资料有：{listing}" if listing else "资料文件夹以资料编号开头，如 03.1-年度工作计划"
    place.problems.append(Problem("bad-material-folder", f"资料文件夹“{name}”：{why}", fix))


def fn_suggest(name: str, candidates: list[str]) -> str | None:
    """The nearest unit name for a typo, as the loader suggests it."""
    return suggest(name, candidates)




def name_checks(file: EvidenceFile, entry: Entry, place: Place, ctx: ScanContext) -> None:
    parts = fn.parse_file_name(file.name)  # the printable name: a GBK name is read as GBK, never as surrogates
    file.years, file.unit_raw, file.title = parts.years, parts.unit_raw, parts.title or parts.stem
    file.unit = ctx.resolve_unit(parts.unit_raw) if parts.unit_raw else None
    if parts.issue is None and file.unit is None:
        file.problems.append(_unknown_unit(file, parts, ctx))
    elif parts.issue is not None:
        file.problems.append(_name_problem(file, parts, ctx))
    material = ctx.standard.material(place.material) if place.material else None
    file.problems.extend(_window_problems(file, material, ctx))
    if material is not None and material.formats and parts.ext and parts.ext not in material.formats:
        fix = "转换为 PDF 后再提交（图片、Word 都可以导出或打印为 PDF）" if "pdf" in material.formats else f"转换为 {'/'.join(material.formats)} 之一"
        file.problems.append(Problem("format-not-accepted", f"资料 {material.id}（{material.title}）只接受 {'、'.join(material.formats)} 格式，此文件是 .{parts.ext_raw}", fix))
    file.problems.extend(_assignment_problems(file, ctx))


def _name_problem(file: EvidenceFile, parts: fn.NameParts, ctx: ScanContext) -> Problem:
    example = fn.example_name(parts, unit=file.unit, year=ctx.sample_year, unit_names=ctx.unit_names)
    fix = f"改名为“年份-单位-标题.扩展名”，例如 {example}"
    if parts.issue == "no-year" or (parts.issue == "bad-name" and not parts.years):
        fix += "（年份写文件所属的年度）"
    return Problem(parts.issue or "bad-name", parts.detail, fix)


def _unknown_unit(file: EvidenceFile, parts: fn.NameParts, ctx: ScanContext) -> Problem:
    nearest = fn_suggest(parts.unit_raw, ctx.unit_names)
    canonical = ctx.resolve_unit(nearest) if nearest else None
    if canonical:
        example = f"{parts.year_raw}-{canonical}-{parts.title}.{parts.ext_raw}"
        fix = f"是否应为“{canonical}”？改名为 {example}"
    else:
        fix = "单位写本市单位名单中的简称、全称或别名（见 standards/local/units.yml 或网站“单位”页）"
    return Problem("unknown-unit", f"文件名中的单位“{parts.unit_raw}”不在本市单位名单中", fix)


def _window_problems(file: EvidenceFile, material, ctx: ScanContext) -> list[Problem]:
    window = tuple(ctx.plan.window)
    if not file.years or not window or set(file.years) & set(window):
        return []
    span = f"{window[0]}–{window[-1]}"
    shown = f"{file.years[0]}" if len(file.years) == 1 else f"{file.years[0]}至{file.years[-1]}"
    if min(file.years) > max(window):
        return [Problem("outside-window", f"年份 {shown} 晚于评审期 {span}", "核对文件名中的年份")]
    if material is not None and material.time_rule == "once":
        return []  # a one-off document (本底调查) done before the window still stands
    if material is not None and material.per_year:
        return [Problem("outside-window", f"年份 {shown} 不在评审期 {span} 内，不能算作本期材料",
                        f"提交 {span} 年度的材料；若年份写错了，改正文件名")]
    return [Problem("outside-window", f"年份 {shown} 早于评审期 {span}",
                    "若文件至今仍然有效（如长期有效的规范性文件）可保留；否则请提交评审期内的版本", Level.WARNING)]


def _assignment_problems(file: EvidenceFile, ctx: ScanContext) -> list[Problem]:
    """A file from a unit that neither supplies its material nor is among the item's units: collected, warned,
    with the unit the plan expected (a parent answers for its sub-units)."""
    assignment = ctx.plan.assignments.get(file.item) if file.item is not None else None
    if file.unit is None or assignment is None or assignment.groups:
        return []
    expected = [u for m in file.materials if (o := ctx.plan.obligations.get(m)) for u in o.units]
    answerable = set(assignment.lead) | set(assignment.responsible) | set(expected)
    unit = ctx.plan.units.get(file.unit)
    while unit is not None:
        if unit.name in answerable:
            return []
        unit = ctx.plan.units.get(unit.parent) if unit.parent else None
    owners = "、".join(dict.fromkeys(expected)) or "、".join(assignment.lead) or "牵头单位"
    return [Problem("unit-not-assigned", f"{file.unit} 既不是该材料的供给单位，也不是第 {file.item} 条的牵头或责任单位；应由 {owners} 提交",
                    f"核对条目文件夹和单位是否写对（应由 {owners} 提交）；确需由 {file.unit} 提交的，请爱卫办在 standards/local/assignments.yml 的 suppliers 或该条分工中写上它",
                    Level.WARNING)]




def path_problems(entry: Entry, ctx: ScanContext) -> list[Problem]:
    problems: list[Problem] = []
    rel = entry.rel
    if display(entry.raw)[1]:
        problems.append(Problem("bad-encoding", "文件或文件夹名不是 UTF-8 编码（常见于在 Windows 上压缩、在别处解压）",
                                "在电脑上把文件重新命名（直接输入中文名）后再提交"))
    troubles = [(part, why) for part in entry.parts if (why := fn.windows_trouble(part))]
    if troubles:
        said = "；".join(f"“{part}”{why}" for part, why in troubles)
        problems.append(Problem("windows-unsafe-name", f"名称在 Windows 上无法使用：{said}",
                                "改名：去掉 < > : \" / \\ | ? * 等字符（可用全角字符或短横线代替），不要以点或空格结尾，不要用 CON、NUL 等设备名"))
    invisible = [seen for part in entry.parts for seen in fn.invisible_characters(part)]
    if invisible:
        clean = "/".join(fn.without_invisible(part) for part in entry.parts)
        problems.append(Problem("invisible-character", f"名称中有看不见的字符：{'、'.join(invisible)}",
                                f"重新输入文件名（不要从网页或聊天记录里复制），改为 {clean}", Level.WARNING))
    length = fn.windows_path_length(rel)
    if length > fn.PATH_WARN:
        level = Level.ERROR if length > fn.PATH_ERROR else Level.WARNING
        problems.append(Problem("path-too-long", f"路径太长，解压到 Windows 桌面后约 {length} 个字符（上限约 260）",
                                f"缩短标题或资料文件夹名，使整个路径不超过 {fn.PATH_WARN} 个字符", level))
    kinds = fn.personal_data(rel)
    if kinds:
        problems.append(Problem("personal-data", f"文件名中似乎含有{'和'.join(kinds)}",
                                "改名去掉个人信息；文件内容含个人信息的，在说明文件中写 restricted: true（不在网站公开）",
                                Level.WARNING))
    return problems


def size_problems(entry: Entry, content: Content | None, ctx: ScanContext) -> list[Problem]:
    if entry.size == 0:
        return [Problem("empty", "文件是空的（0 字节）", "重新提交完整的文件（多半是上传或复制时出错）")]
    limit_mb = ctx.plan.max_file_mb or 50
    if entry.size > limit_mb * 1024 * 1024:
        size_mb = entry.size / 1024 / 1024
        return [Problem("too-large", f"文件有 {size_mb:.1f} MB，超过 {limit_mb} MB",
                        "压缩后再提交（PDF 可降低扫描分辨率到 200–300 dpi，照片可缩小尺寸），或拆分成几个文件", Level.WARNING)]
    return []
