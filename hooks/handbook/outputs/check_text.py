"""``check`` as a liaison reads it: one verdict first, then each check in its own labelled section.

    结论：未通过。佐证材料：检查了 7 个文件，1 个通过，6 个有问题（5 个错误、2 个警告）；标准与本市方案：无错误。

    一、标准与本市方案（standards/）
    二、佐证材料（evidence/）
      【市城管局】3 个文件：2 个错误，1 个警告        ← the committer's unit, when units.yml knows the committer
        ✗ evidence/…/IMG_0031.jpg（提交人 cgj-liaison）
            ✗ 错误：文件名开头缺少年份（no-year）
              改法：…
      通过检查的文件（1 个）
        ✓ evidence/…

A file is printed once, with every problem and its fix under it; the verdict is never repeated at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from handbook.model import Level, Problem, format_problem
from handbook.outputs.evidence_report import EVIDENCE, GUIDE, Finding, Report

PASSED_SHOWN = 100  # a liaison's commit lists every passed file; a whole-tree check counts the rest
FOLDERS_SHOWN = 20


# --------------------------------------------------------------------------- the verdict


def _count(errors: int, warnings: int) -> str:
    if not errors and not warnings:
        return "无错误、无警告"
    parts = [f"{errors} 个错误"] if errors else ["无错误"]
    return "、".join(parts + ([f"{warnings} 个警告"] if warnings else []))


def _evidence_summary(report: Report) -> str:
    with_problems = len({f.path for f in report.findings if f.path.startswith(f"{EVIDENCE}/")})
    shown = f"检查了 {report.checked} 个文件，{len(report.passed)} 个通过"
    if with_problems:
        shown += f"，{with_problems} 个有问题"
    return f"佐证材料：{shown}（{_count(report.errors, report.warnings)}）"


def verdict_line(diagnostics: Sequence[Problem] | None, report: Report | None) -> str:
    """The one verdict: 通过 only when neither check found an error; the counts of both after it."""
    parts, errors = [], 0
    if report is not None:
        parts.append(_evidence_summary(report))
        errors += report.errors
    if diagnostics is not None:
        own = sum(1 for d in diagnostics if d.level is Level.ERROR)
        parts.append(f"标准与本市方案：{_count(own, len(diagnostics) - own)}")
        errors += own
    verdict = "未通过" if errors else "通过"
    tail = "。请按下面每一条的改法修改后重新提交。" if errors else "。"
    return f"结论：{verdict}。{'；'.join(parts)}{tail}"


# --------------------------------------------------------------------------- the sections


def standards_section(diagnostics: Sequence[Problem], number: str = "一") -> list[str]:
    errors = [d for d in diagnostics if d.level is Level.ERROR]
    warnings = [d for d in diagnostics if d.level is Level.WARNING]
    lines = ["", f"{number}、标准与本市方案（standards/）：{_count(len(errors), len(warnings))}"]
    for title, group in (("错误", errors), ("警告", warnings)):
        if group:
            lines.append(f"  {title}（{len(group)}）：")
            lines.extend(f"    {format_problem(d)}" for d in group)
    return lines


def evidence_section(report: Report, number: str = "二") -> list[str]:
    lines = ["", f"{number}、佐证材料（evidence/）：{_scope(report)}"]
    lines.extend(f"  注意：{note}" for note in report.notes)
    for group, findings in report.groups().items():
        lines.extend(_group_lines(group, findings))
    lines.extend(_passed_lines(report))
    lines.extend(_folder_lines(report))
    if report.findings:
        lines.append("")
        lines.append(f"每种问题的说明和正反例见 {GUIDE}。")
    return lines


def _scope(report: Report) -> str:
    if report.changed_since is not None:
        return f"检查自 {report.changed_since} 以来改动的 {report.checked} 个文件（全库共 {report.scanned} 个）"
    return f"检查 evidence/ 下全部 {report.checked} 个文件"


def _group_lines(group: str, findings: list[Finding]) -> list[str]:
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.path, []).append(finding)
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    by_committer = any(f.committer_unit == group for f in findings)
    note = "（按提交人所属单位）" if by_committer else ""
    lines = ["", f"  【{group}】{note}{len(by_file)} 个文件：{_count(errors, len(findings) - errors)}"]
    for path, items in by_file.items():
        mark = "✗" if any(f.level is Level.ERROR for f in items) else "!"
        who = f"（提交人 {items[0].committer}）" if items[0].committer else ""
        lines.append(f"    {mark} {path}{who}")
        for finding in items:
            sign = "✗" if finding.level is Level.ERROR else "!"
            lines.append(f"        {sign} {finding.level.value}：{finding.message}（{finding.code}）")
            if finding.fix:
                lines.append(f"          改法：{finding.fix}")
    return lines


def _passed_lines(report: Report) -> list[str]:
    if not report.passed:
        return []
    warned = {f.path for f in report.findings}
    lines = ["", f"  通过检查的文件（{len(report.passed)} 个）："]
    for path in report.passed[:PASSED_SHOWN]:
        lines.append(f"    ✓ {path}" + ("（有警告，见上）" if path in warned else ""))
    if len(report.passed) > PASSED_SHOWN:
        lines.append(f"    …… 另有 {len(report.passed) - PASSED_SHOWN} 个")
    return lines


def _folder_lines(report: Report) -> list[str]:
    if not report.missing_folders:
        return []
    lines = ["", f"  缺少的资料文件夹（{len(report.missing_folders)} 个；运行 python -m handbook scaffold 一次建好，不会改动已有文件）："]
    lines.extend(f"    - {path}" for path in report.missing_folders[:FOLDERS_SHOWN])
    if len(report.missing_folders) > FOLDERS_SHOWN:
        lines.append(f"    …… 另有 {len(report.missing_folders) - FOLDERS_SHOWN} 个")
    return lines


# --------------------------------------------------------------------------- whole outputs


def check_text(diagnostics: Sequence[Problem], report: Report | None) -> str:
    """``check`` (and ``check --evidence``): the verdict, then the standards section, then the evidence section."""
    lines = [verdict_line(diagnostics, report)]
    lines.extend(standards_section(diagnostics))
    if report is not None:
        lines.extend(evidence_section(report))
    return "\n".join(lines) + "\n"


def evidence_text(report: Report) -> str:
    """The evidence check alone (``run_evidence_check`` in text mode)."""
    lines = [verdict_line(None, report)]
    lines.extend(evidence_section(report, number="一"))
    return "\n".join(lines) + "\n"
