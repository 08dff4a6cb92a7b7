"""``python -m handbook <command>``: every module in ``handbook.commands`` is one command.

A command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``
(the exit status). Keeping one file per command lets each grow without touching the others.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import pkgutil
import sys
import traceback
from pathlib import Path

from handbook import commands
from handbook.util import faults


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"handbook.commands.{info.name}")


def parse_day(text: str) -> dt.date:
    """``--today`` value: a real YYYY-MM-DD date, else a Chinese usage error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是真实的日期，应写成 YYYY-MM-DD，如 2026-06-30") from None


TODAY_HELP = "按这一天计算期限（默认依次取：环境变量 HANDBOOK_TODAY、city.yml 的 today、系统日期）"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m handbook", description="国家卫生城市复审资料手册")
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="项目根目录（含 standards/ 与 evidence/），默认当前目录"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for module in _command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        # Every command judges by the same day, resolved once by handbook.settings (flag, env, city.yml, system).
        command.add_argument("--today", type=parse_day, default=None, metavar="YYYY-MM-DD", help=TODAY_HELP)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Windows consoles and CI logs: make Chinese output never crash on encoding.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - no traceback ever reaches a user; the message names the file
        return _unexpected(exc)


def _unexpected(exc: BaseException) -> int:
    """Say what happened in Chinese and exit 3 (1 is "the check found errors", 2 a usage error)."""
    if faults.debugging():
        traceback.print_exc()
    print(f"错误：{faults.unexpected_message(exc)}", file=sys.stderr)
    return 3
