"""``python -m handbook changes --since DATE``: what was committed under evidence/, by unit and item."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

NAME = "changes"
HELP = "列出某日以来提交的佐证材料（按单位、按条款汇总），用于每周简报"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应写成 YYYY-MM-DD，例如 2026-11-16") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_date, default=None,
                        help="起始日期（含），YYYY-MM-DD；默认为 7 天前")
    parser.add_argument("--until", type=_date, default=None, help="截止日期（含），YYYY-MM-DD；默认为今天")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="输出格式，默认 text")


def run(args: argparse.Namespace) -> int:
    from handbook.outputs.changes import collect_changes, format_text

    root = Path(args.root).resolve()
    project = _project(root, args.today)
    today = project.plan.today if project else dt.date.today()
    until = args.until or today
    since = args.since or until - dt.timedelta(days=6)
    if since > until:
        print(f"错误：起始日期 {since} 晚于截止日期 {until}。", file=sys.stderr)
        return 1
    if not (root / ".git").exists() and not _inside_git(root):
        print(f"注意：{root} 不是 git 仓库，没有提交记录可查。", file=sys.stderr)
    changes = collect_changes(root, since=since, until=until, project=project)
    if args.format == "json":
        data = [
            {
                "commit": c.commit, "time": c.when.isoformat(), "author": c.author, "subject": c.subject,
                "action": c.action, "status": c.status, "path": c.path, "old_path": c.old_path,
                "item": c.item, "material": c.material, "year": c.year, "unit": c.unit, "unit_raw": c.unit_raw,
            }
            for c in changes
        ]
        json.dump({"since": since.isoformat(), "until": until.isoformat(), "changes": data},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_text(changes, since=since, until=until, project=project))
    return 0


def _project(root: Path, today):
    try:
        from handbook.load.project import load_project

        return load_project(root, today=today)
    except Exception:  # history is still worth showing with units as written
        log.warning("could not load the plan", exc_info=True)
        return None


def _inside_git(root: Path) -> bool:
    return any((parent / ".git").exists() for parent in root.parents)
