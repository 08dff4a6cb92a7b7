"""``python -m handbook scaffold``: create every item and material folder of evidence/ (with a README.md in
each material folder), never touching a file or folder that exists."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "scaffold"
HELP = "在 evidence/ 下建好全部条目文件夹和资料文件夹（每个资料文件夹一份 README.md 说明），不改动已有文件"
SHOWN = 10  # created paths listed one by one; the rest are counted


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--evidence", type=Path, default=None, help="佐证材料文件夹，默认 <项目根目录>/evidence")


def run(args: argparse.Namespace) -> int:
    from handbook.load.project import load_project
    from handbook.outputs.scaffold import scaffold

    root = Path(args.root).resolve()
    project = load_project(root)
    if not project.standard.items:
        print("错误：标准数据没有载入任何条目，无法建文件夹；请先运行 `python -m handbook check` 查看原因。", file=sys.stderr)
        return 1
    evidence = args.evidence if args.evidence is not None else root / "evidence"
    result = scaffold(project, evidence)
    print(f"在 {evidence} 下：新建文件夹 {len(result.folders_created)} 个，新建说明 README.md {len(result.readmes_created)} 个，"
          f"已有的说明 {len(result.kept)} 个未改动。")
    for path in result.folders_created[:SHOWN]:
        print(f"  + {path}/")
    if len(result.folders_created) > SHOWN:
        print(f"  …… 另有 {len(result.folders_created) - SHOWN} 个")
    for why in result.blocked:
        print(f"  ! {why}", file=sys.stderr)
    if not result.folders_created and not result.readmes_created and not result.blocked:
        print("文件夹都已齐全。")
    return 1 if result.blocked else 0
