"""``python -m handbook package [--out DIR]``: build the archive, then write the 资料评估 review package."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

NAME = "package"
HELP = "生成资料评估材料包（上传栏目 PDF、分项佐证、总目录、卷内目录、缺失资料清单、校验清单）"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=None, help="输出目录，默认 <项目根目录>/.cache/handbook/package（不在 site/ 下：材料包可能含受限文件）"
    )


def run(args: argparse.Namespace) -> int:
    from handbook.outputs.package import FontMissingError, PackageError, build_package
    from handbook.pipeline import build_archive
    from handbook.settings import resolve

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    # pypdf logs damage without naming the file; the package reports each damaged file itself.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter
    settings = resolve(args.root, today=args.today, package_out=args.out)
    out = settings.package_dir
    archive = build_archive(settings.root, today=settings.today)
    try:
        result = build_package(archive, out)
    except (FontMissingError, PackageError) as error:
        print(f"打包失败：{error}", file=sys.stderr)
        return 1
    for slot in result.missing_slots:
        print(f"缺失上传栏目：{slot.position:02d} {slot.title}")
    for item in result.needs_conversion:
        print(f"待转换为 PDF：{item.evidence_path}（{item.reason}）")
    for note in result.notes:
        print(note)
    print(result.summary_line())
    return 0
