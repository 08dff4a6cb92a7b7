"""``python -m handbook notices --kind 整改通知单|督办单|通报|简报 [--period 2026-11 | --from D --to D]``."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

NAME = "notices"
HELP = "生成爱卫办发出的文书（XLSX 和 PDF）：整改通知单、整改督办单、情况通报、工作简报"
DEFAULT_OUT = Path("build") / "notices"
KINDS = ("整改通知单", "督办单", "通报", "简报")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", required=True, help="文书种类：" + "、".join(KINDS))
    parser.add_argument("--period", default=None, help="期间：月 2026-11、季度 2026Q4、周 2026-W47；默认今天所在的月（通报默认所在季度）")
    parser.add_argument("--from", dest="start", default=None, help="起始日期 2026-11-01（与 --to 一起用，代替 --period）")
    parser.add_argument("--to", dest="end", default=None, help="截止日期 2026-11-30；督办单列出这一天已过期限的问题")
    parser.add_argument("--unit", default=None, help="整改通知单、督办单只生成这个单位的（名称或别名）")
    parser.add_argument("--out", type=Path, default=None, help=f"输出文件夹，默认 {DEFAULT_OUT.as_posix()}/")


def run(args: argparse.Namespace) -> int:
    from handbook.problems import suggest

    if args.kind not in KINDS:
        nearest = suggest(args.kind, KINDS) or next((k for k in KINDS if set(k) & set(args.kind)), None)
        hint = f"是否应为“{nearest}”？" if nearest else ""
        print(f"错误：--kind 的“{args.kind}”不是文书种类（{'、'.join(KINDS)}）。{hint}", file=sys.stderr)
        return 2
    from handbook.outputs.notices import write_notices
    from handbook.outputs.notices.indicator_history import verdict_changes
    from handbook.pipeline import build_archive, default_cache_dir
    from handbook.render.thumbs import Photos

    root = Path(args.root).resolve()
    archive = build_archive(root)
    period = _period(args, archive.project.plan.today)
    if period is None:
        return 2
    unit = _unit(archive, args.unit)
    if args.unit and unit is None:
        return 1
    photos = Photos(archive.evidence_root or root / "evidence", default_cache_dir(root))
    changes = verdict_changes(archive, period) if args.kind == "简报" else None
    out_dir = args.out if args.out is not None else root / DEFAULT_OUT
    docs, paths = write_notices(archive, args.kind, period, out_dir, photos=photos, unit=unit, indicator_changes=changes)
    for problem in archive.finding_problems[:10]:
        print(f"注意：问题台账 {problem}", file=sys.stderr)
    print(f"{period.label}：{len(docs)} 份{args.kind}" + ("" if docs else "（范围内没有需要发出的）"))
    for path in paths:
        print(f"  {path}")
    return 0


def _period(args: argparse.Namespace, today: dt.date):
    from handbook.judge.campaign_report import parse_period, span

    if args.start or args.end:
        try:
            start = dt.date.fromisoformat(args.start) if args.start else today.replace(day=1)
            end = dt.date.fromisoformat(args.end) if args.end else today
        except ValueError:
            print(f"错误：--from/--to 的日期“{args.start or ''}”“{args.end or ''}”写法不对，应写 2026-11-01", file=sys.stderr)
            return None
        if end < start:
            print(f"错误：--to {end} 早于 --from {start}，请对调", file=sys.stderr)
            return None
        return span(start, end)
    default = f"{today.year}Q{(today.month - 1) // 3 + 1}" if args.kind == "通报" else f"{today.year}-{today.month:02d}"
    if args.kind == "督办单" and not args.period:
        return span(today.replace(day=1), today)
    period = parse_period(args.period or default)
    if period is None:
        print(f"错误：--period “{args.period}”看不懂，应写 2026-11（月）、2026Q4（季度）或 2026-W47（周）", file=sys.stderr)
    return period


def _unit(archive, name: str | None) -> str | None:
    if not name:
        return None
    from handbook.problems import suggest

    found = archive.project.plan.resolve_unit(name)
    if found is not None:
        return found.name
    nearest = suggest(name, list(archive.project.plan.alias_index))
    print(f"错误：单位“{name}”不在本地方案中。" + (f"是否应为“{nearest}”？" if nearest else ""), file=sys.stderr)
    return None
