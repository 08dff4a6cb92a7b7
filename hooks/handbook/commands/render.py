"""``python -m handbook render --out DIR``: write the generated pages as Markdown, for any other engine."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "render"
HELP = "把生成的页面（Markdown）写入一个文件夹，供其他静态站点引擎使用"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="输出文件夹（已有同名文件会被覆盖）")


def run(args: argparse.Namespace) -> int:
    from handbook.pipeline import build_archive
    from handbook.render import render_site

    archive = build_archive(args.root, today=args.today)
    pages = render_site(archive)
    for uri, markdown in sorted(pages.items()):
        target = args.out / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
    print(f"已写入 {len(pages)} 个页面到 {args.out}")
    return 0
