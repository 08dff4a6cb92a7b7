"""``python -m handbook export``: the whole model as JSON (schema: docs/schema.md).

Exports the judged archive (files, cells, summary, indicator verdicts) when the scanning and
judging modules are present; otherwise the project alone (standard + plan), with a note on stderr.
Exit status 1 when the standard or plan has errors (the export is still written).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from handbook.util.atomic import write_text
from handbook.outputs.export import export_model
from handbook.model import Archive, Project
from handbook.load.project import load_project

log = logging.getLogger(__name__)

NAME = "export"
HELP = "把整个模型（事项、材料、单元格状态、文件、指标结论）导出为 JSON"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None, metavar="FILE", help="写入该文件（默认输出到屏幕）")
    parser.add_argument("--project-only", action="store_true", help="只导出标准与方案，不扫描佐证材料")
    parser.add_argument("--no-git", action="store_true", help="不读取 git 提交人和提交时间")


def build(args: argparse.Namespace) -> Project | Archive:
    if args.project_only:
        return load_project(args.root, today=args.today)
    from handbook.pipeline import build_archive

    return build_archive(args.root, today=args.today, git=not args.no_git)


def write_atomically(path: Path, text: str) -> None:
    write_text(path, text)


def run(args: argparse.Namespace) -> int:
    model = build(args)
    project = model.project if isinstance(model, Archive) else model
    text = json.dumps(export_model(model), ensure_ascii=False, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_atomically(args.out, text)
        print(f"已导出：{args.out}", file=sys.stderr)
    if project.errors:
        print(f"注意：标准或方案有 {len(project.errors)} 个错误，运行 python -m handbook check 查看。", file=sys.stderr)
        return 1
    return 0
