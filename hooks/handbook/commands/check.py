"""``python -m handbook check``: validate the standard and the local plan (and, with --evidence, evidence/).

Prints errors first, then warnings, then a one-line summary. Exit status: 0 when there is no
error, 1 when there is; 2 when --evidence is asked for but the evidence check is not installed.

Extension point: with ``--evidence`` this calls ``handbook.outputs.evidence_report.run_evidence_check(args,
project) -> int`` (imported lazily). In ``--format json`` mode check then does NOT print its own JSON;
it leaves the report on ``args.project_report`` (a dict, see ``project_report``); when
``run_evidence_check`` accepts ``out=``, its JSON is captured and printed with this report added under
``"project"``, so stdout stays one JSON document. In text mode check prints its report first.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys

from handbook.problems import as_dict, sort_key
from handbook.model import Problem, Level, Project
from handbook.load.project import count_warnings, load_project

log = logging.getLogger(__name__)

NAME = "check"
HELP = "检查标准数据与本市方案（加 --evidence 同时检查佐证材料）"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--evidence", action="store_true", help="同时检查 evidence/ 下提交的佐证材料")
    parser.add_argument("--changed-since", metavar="REV", default=None, help="只检查自该 git 版本以来改动的佐证文件（与 --evidence 一起用）")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="输出格式：text（默认）或 json")


def all_diagnostics(project: Project) -> list[Problem]:
    """The project's diagnostics plus the completeness warnings, errors first, by file and line."""
    return sorted([*project.diagnostics, *count_warnings(project)], key=sort_key)


def summary_line(diagnostics: list[Problem]) -> str:
    errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
    warnings = len(diagnostics) - errors
    verdict = "未通过" if errors else "通过"
    return f"检查{verdict}：{errors} 个错误，{warnings} 个警告。"


def project_report(project: Project) -> dict:
    diagnostics = all_diagnostics(project)
    return {
        "ok": not any(d.level is Level.ERROR for d in diagnostics),
        "errors": [as_dict(d) for d in diagnostics if d.level is Level.ERROR],
        "warnings": [as_dict(d) for d in diagnostics if d.level is Level.WARNING],
        "summary": summary_line(diagnostics),
        "counts": {
            "categories": len(project.standard.categories),
            "items": len(project.standard.items),
            "indicators": len(project.standard.indicators),
            "slots": len(project.standard.slots),
            "units": len(project.plan.units),
        },
    }


def run(args: argparse.Namespace) -> int:
    project = load_project(args.root, today=getattr(args, "today", None))
    status = 1 if project.errors else 0
    if args.changed_since and not args.evidence:
        print("提示：--changed-since 只在与 --evidence 一起使用时生效。", file=sys.stderr)
    if args.format == "json":
        args.project_report = project_report(project)
        if not args.evidence:
            print(json.dumps(args.project_report, ensure_ascii=False, indent=2))
            return status
        from handbook.outputs.evidence_report import run_evidence_check

        return max(status, _evidence_json(run_evidence_check, args, project))
    return max(status, _print_text(args, project))


def _print_text(args: argparse.Namespace, project: Project) -> int:
    """One verdict on top for both checks, then the standards' section, then the evidence's (text mode)."""
    from handbook.outputs.check_text import check_text

    report = None
    if args.evidence:
        from handbook.outputs.evidence_report import collect_report

        report = collect_report(args, project)
    sys.stdout.write(check_text(all_diagnostics(project), report))
    return 1 if report is not None and not report.ok else 0


def _evidence_json(run_evidence_check, args: argparse.Namespace, project: Project) -> int:
    """One JSON document on stdout: the evidence report, with this report added under "project"."""
    buffer = io.StringIO()
    status = int(run_evidence_check(args, project, out=buffer) or 0)
    try:
        report = json.loads(buffer.getvalue())
    except ValueError:
        report = None
    if isinstance(report, dict):
        report["project"] = args.project_report
        report["ok"] = bool(report.get("ok", True)) and args.project_report["ok"]
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(buffer.getvalue())
        print(json.dumps(args.project_report, ensure_ascii=False, indent=2), file=sys.stderr)
    return status
