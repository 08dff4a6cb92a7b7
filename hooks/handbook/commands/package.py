"""``python -m handbook package [--out DIR]``: build the archive, then write the 资料评估 review package."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

NAME = "package"
HELP = "生成资料评估材料包：1 上传资料（每栏目一个 PDF）、2 评审资料（分项佐证、总目录、卷内目录、校验清单）、3 内部清单（缺失资料、问题文件、转换失败）"

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
    logging.getLogger("pikepdf").setLevel(logging.WARNING)  # its logger bridge announces itself
    settings = resolve(args.root, today=args.today, package_out=args.out)
    out = settings.package_dir
    archive = build_archive(settings.root, today=settings.today)
    try:
        result = build_package(archive, out)
    except (FontMissingError, PackageError) as error:
        print(f"打包失败：{error}", file=sys.stderr)
        return 1
    for slot in result.slots:
        if slot.missing or slot.lacks:
            print(f"上传栏目 {slot.position:02d} {slot.title}：{slot.status_text}")
    for item in result.failed_conversions:
        print(f"转换为 PDF 失败：{item.evidence_path}（{item.reason}）— {item.fix}")
    for part in result.parts:
        print(f"{part.number}-{part.name}：{part.zip_path}（{part.entries} 个文件，{part.size / 1e6:.1f} MB）— {part.purpose}")
    for note in result.notes:
        print(note)
    print(result.summary_line())
    return 0
