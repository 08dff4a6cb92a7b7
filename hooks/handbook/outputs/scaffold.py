"""Make the folders of evidence/ exist: every item folder and every material folder, with a README.md in each
material folder (what it needs, the formats, an example name).

Never touches what exists: a folder already there for an item or a material (whatever its label) is used as
it is, a README.md already there is kept, a file or link where a folder should be is reported and left alone.
Git does not keep empty folders; the README is what makes a material folder reach the forge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handbook.model import Material, Plan, Project
from handbook.render.context import md_escape
from handbook.scan.folders import example_name, existing_folders, item_folder_name, list_two_levels, material_folder_name

README = "README.md"


@dataclass(slots=True)
class ScaffoldResult:
    folders_created: list[str] = field(default_factory=list)  # relative to evidence/, "NN-…/NN.K-…"
    readmes_created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # README.md files that already existed
    blocked: list[str] = field(default_factory=list)  # "path：why" for places a folder cannot go


def scaffold(project: Project, evidence_root: Path) -> ScaffoldResult:
    """Create what is missing under ``evidence_root``; return what was made, kept and could not be made."""
    root = Path(evidence_root)
    result = ScaffoldResult()
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        result.blocked.append(f"{root.name}：不是文件夹（或是链接），没有创建任何内容")
        return result
    root.mkdir(parents=True, exist_ok=True)
    items, materials = existing_folders(list_two_levels(root))
    standard = project.standard
    for number in sorted(standard.items):
        item = standard.items[number]
        item_dir = items.get(number) or item_folder_name(item)
        if not _make(root, item_dir, result):
            continue
        for material in item.materials:
            folder = materials.get(material.id) or f"{item_dir}/{material_folder_name(material)}"
            if _make(root, folder, result):
                _readme(root, folder, material, project.plan, result)
    return result


def _make(root: Path, relative: str, result: ScaffoldResult) -> bool:
    """Make one folder (the parent exists); False when something that is not a folder is in the way."""
    path = root / relative
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        result.blocked.append(f"{relative}：这里已有同名的文件或链接，没有改动它；请爱卫办核对后移走，再运行 scaffold")
        return False
    if not path.exists():
        path.mkdir()
        result.folders_created.append(relative)
    return True


def _readme(root: Path, folder: str, material: Material, plan: Plan, result: ScaffoldResult) -> None:
    path = root / folder / README
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:  # "x": never replaces a file
            handle.write(readme_text(material, plan))
    except FileExistsError:
        result.kept.append(f"{folder}/{README}")
        return
    result.readmes_created.append(f"{folder}/{README}")


def readme_text(material: Material, plan: Plan) -> str:
    """The note a material folder carries (Markdown, everything from the standard escaped)."""
    assignment = plan.assignments.get(material.item)
    leads = [u for u in (assignment.lead if assignment else ()) if u in plan.units]
    unit = leads[0] if leads else "单位"
    year = max((y for y in plan.window if y < plan.review_year), default=plan.review_year)
    name = example_name(material, year, unit).replace("`", "")
    every = "每年一份（评审期内每个年度都要有）" if material.per_year else "全周期一份（写文件印发的年度）"
    who = "每个责任单位各交一份" if material.per_unit else "牵头单位汇总后交一份"
    formats = "、".join(material.formats) or "pdf"
    lines = [
        f"# {md_escape(material.id)} {md_escape(material.title)}",
        "",
        f"- **要交什么**：{md_escape(material.complete_when or material.title)}",
        f"- **几份**：{every}；{who}",
        f"- **格式**：{md_escape(formats)}" + ("（盖章后扫描）" if material.seal else ""),
        f"- **牵头单位**：{md_escape('、'.join(leads) or '见站点该条目页')}",
        f"- **文件名示例**：`{name}`",
        "",
        "文件名写成“年份-单位-标题.扩展名”，单位写本单位的简称或全称。把文件上传到本文件夹即可；",
        "本说明由 `python -m handbook scaffold` 生成，不算佐证材料，可以保留。",
        "",
    ]
    return "\n".join(lines)
