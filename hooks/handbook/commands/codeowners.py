"""``python -m handbook codeowners``: write CODEOWNERS (GitLab or Gitea) from the local plan."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from handbook.util.atomic import write_text
from handbook.outputs.codeowners import DEFAULT_PATHS, FLAVORS, codeowners_text, find_office

log = logging.getLogger(__name__)

NAME = "codeowners"
HELP = "根据本地方案生成 CODEOWNERS（各单位负责自己的佐证材料文件夹，爱卫办为默认负责人）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--flavor", choices=FLAVORS, default="gitlab",
                        help="格式：gitlab（写到 .gitlab/CODEOWNERS）或 gitea（写到 .gitea/CODEOWNERS），默认 gitlab")
    parser.add_argument("--out", default=None,
                        help="输出文件（相对项目根目录），默认按格式而定；写 - 则输出到屏幕")
    parser.add_argument("--office", default=None, help="爱卫办在本地方案中的名称，默认自动查找名称含“爱卫办”的单位")


def run(args: argparse.Namespace) -> int:
    from handbook.problems import suggest
    from handbook.load.project import load_project

    root = Path(args.root).resolve()
    project = load_project(root, today=args.today)
    if project.errors:
        print(f"错误：本地方案有 {len(project.errors)} 个错误，请先运行 `python -m handbook check` 改正后再生成：",
              file=sys.stderr)
        for diagnostic in project.errors[:10]:
            print(f"  {diagnostic}", file=sys.stderr)
        return 1
    if args.office and find_office(project, args.office) is None:
        nearest = suggest(args.office, project.plan.alias_index)
        hint = f"是否应为“{nearest}”？" if nearest else "请写 standards/local/units.yml 中的单位名称或别名。"
        print(f"错误：--office 的单位“{args.office}”不在本地方案中。{hint}", file=sys.stderr)
        return 1
    text = codeowners_text(project, flavor=args.flavor, office_name=args.office)
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    target = root / (args.out or DEFAULT_PATHS[args.flavor])
    write_atomically(target, text)
    print(f"已写入 {target.relative_to(root) if target.is_relative_to(root) else target}")
    return 0


def write_atomically(path: Path, text: str) -> None:
    write_text(path, text)  # bytes as given: "\n" line ends on every platform
