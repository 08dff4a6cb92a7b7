"""``python -m handbook worklist [--unit 单位] [--out DIR]``: 催报单 per unit and the 通报 summary (XLSX)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

NAME = "worklist"
HELP = "生成各单位催报单（缺失、逾期、问题文件、待补指标）和完成率通报排名（XLSX）"
DEFAULT_OUT = Path("build") / "worklists"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--unit", default=None, help="只生成这个单位的催报单（名称或别名均可）")
    parser.add_argument("--out", type=Path, default=None, help=f"输出文件夹，默认 {DEFAULT_OUT.as_posix()}/")


def run(args: argparse.Namespace) -> int:
    from handbook.problems import suggest
    from handbook.pipeline import build_archive
    from handbook.outputs.worklist import write_worklists

    root = Path(args.root).resolve()
    archive = build_archive(root, today=args.today, git=False)
    plan = archive.project.plan
    unit = None
    if args.unit:
        found = plan.resolve_unit(args.unit)
        if found is None:
            nearest = suggest(args.unit, list(plan.alias_index) or list(plan.units))
            hint = f"是否应为“{nearest}”？" if nearest else "请写 standards/local/units.yml 中的单位名称或别名。"
            print(f"错误：单位“{args.unit}”不在本地方案中。{hint}", file=sys.stderr)
            return 1
        unit = found.name
    if archive.project.errors:
        print(f"注意：本地方案有 {len(archive.project.errors)} 个错误，催报单可能不完整；"
              "请运行 `python -m handbook check` 查看。", file=sys.stderr)
    out_dir = args.out if args.out is not None else root / DEFAULT_OUT
    if not out_dir.is_absolute():
        out_dir = Path.cwd() / out_dir
    written = write_worklists(archive, out_dir, unit=unit)
    if not written:
        print("没有需要催报的单位。")
        return 0
    print(f"已生成 {len(written)} 个文件，在 {out_dir}：")
    for path in written:
        print(f"  {path.name}")
    return 0
