"""``python -m handbook template --indicators [--unit 单位] [--out 文件]``: the blank indicator workbook."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

NAME = "template"
HELP = ("生成填报模板：--indicators 生成指标数值填报表（XLSX，每个单位一个工作表，或只生成 --unit 指定单位的）；"
        "--findings 生成问题台账（督查、暗访等发现的问题）")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--indicators", action="store_true", help="生成指标数值填报模板")
    parser.add_argument("--findings", action="store_true", help="生成问题台账模板（evidence/findings/findings.xlsx 的格式）")
    parser.add_argument("--unit", default=None, help="只生成这个单位负责的指标（单位名称或别名）；默认每个单位一个工作表")
    parser.add_argument("--out", type=Path, default=None,
                        help="输出文件，默认当前目录下的“指标填报模板-<单位>.xlsx”（不指定单位时用城市名）")


def run(args: argparse.Namespace) -> int:
    from handbook.outputs.indicator_template import default_name, write_template
    from handbook.load.project import load_project

    if args.findings:
        return _findings_template(args)
    if not args.indicators:
        print("错误：请说明要生成哪种模板：--indicators（指标数值填报表）或 --findings（问题台账）", file=sys.stderr)
        return 2
    project = load_project(Path(args.root).resolve())
    if not project.standard.indicators:
        print("错误：没有读到任何指标（standards/national/indicators.yml），无法生成模板：", file=sys.stderr)
        for diagnostic in project.errors[:10]:
            print(f"  {diagnostic}", file=sys.stderr)
        return 1
    for diagnostic in project.errors[:10]:
        print(f"警告：本地方案有错误，模板可能不完整：{diagnostic}", file=sys.stderr)
    unit = _resolve_unit(project, args.unit)
    if args.unit and unit is None:
        return 1
    out = args.out or Path.cwd() / default_name(project, unit)
    try:
        write_template(project, out, unit)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(f"已写入 {out}")
    return 0


def _findings_template(args: argparse.Namespace) -> int:
    from handbook.load.project import load_project
    from handbook.outputs.findings_template import write_findings_template

    project = load_project(Path(args.root).resolve())
    out = args.out or Path.cwd() / f"问题台账模板-{project.plan.city or '本市'}.xlsx"
    try:
        write_findings_template(project, out)
    except OSError as exc:
        print(f"错误：无法写入 {out}：{exc}", file=sys.stderr)
        return 1
    print(f"已写入 {out}（填好后保存为 evidence/findings/findings.xlsx，照片放 evidence/findings/photos/）")
    return 0


def _resolve_unit(project, name: str | None) -> str | None:
    """The canonical name for a unit name or alias; prints the nearest valid name when unknown."""
    if not name:
        return None
    unit = project.plan.resolve_unit(name)
    if unit is not None:
        return unit.name
    if name in project.plan.indicator_owners.values():  # an owner not (yet) in units.yml
        return name
    from handbook.problems import suggest

    nearest = suggest(name, list(project.plan.alias_index) or list(project.plan.units))
    hint = f"是否应为“{nearest}”？" if nearest else "请写 standards/local/units.yml 中的单位名称或别名。"
    print(f"错误：--unit 的单位“{name}”不在本地方案中。{hint}", file=sys.stderr)
    return None
