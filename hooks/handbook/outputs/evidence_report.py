"""The commit check: ``python -m handbook check --evidence [--changed-since REV] [--format json]``.

The per-file checks live in the scanner (``handbook.scan.evidence``): every broken contract is a ``Problem`` on
an ``EvidenceFile``. This module only decides *which* files to report (all, or those changed since a
git revision), groups the problems by unit and prints them in Chinese (or JSON for machines).

The whole tree is always scanned, even with ``--changed-since``: a changed file that duplicates an old
one must still be caught, and only a whole-tree scan knows every hash.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from handbook.model import EvidenceFile, Level, Problem, Project, format_problem
from handbook.scan.folders import missing_folders

log = logging.getLogger(__name__)

EVIDENCE = "evidence"
GUIDE = "docs/workflow.md"
UNRESOLVED = "未识别单位"
INDICATOR_GROUP = "指标数据表"
SIDECAR_SUFFIXES = (".yml", ".yaml")
DUPLICATE = "duplicate-content"


# --------------------------------------------------------------------------- the report


@dataclass(slots=True)
class Finding:
    """One problem of one file, ready to print: path relative to the project root."""

    path: str
    group: str  # canonical unit, "未识别单位：X", or the indicator group
    code: str
    level: Level
    message: str
    fix: str
    unit: str | None = None
    unit_raw: str = ""
    committer: str = ""
    committer_unit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "unit": self.unit,
            "unit_raw": self.unit_raw,
            "committer": self.committer,
            "committer_unit": self.committer_unit,
            "group": self.group,
            "code": self.code,
            "level": "error" if self.level is Level.ERROR else "warning",
            "level_text": self.level.value,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    scanned: int = 0  # files in the whole tree
    checked: int = 0  # files in scope (all, or the changed ones)
    changed_since: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "revision not found, checked everything"
    passed: list[str] = field(default_factory=list)  # files in scope without an error (path from the root)
    missing_folders: list[str] = field(default_factory=list)  # labelled folders not in the tree (full check)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level is Level.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.level is Level.WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def groups(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.group, []).append(finding)
        return grouped


# --------------------------------------------------------------------------- entry point


def run_evidence_check(args: Any, project: Project, *, out: TextIO | None = None) -> int:
    """Scan evidence/, report (grouped by unit), return 0 when no error is left, 1 otherwise."""
    out = out or sys.stdout
    report = collect_report(args, project)
    if getattr(args, "format", "text") == "json":
        json.dump(report_as_dict(report), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(format_text(report))
    return 0 if report.ok else 1


def collect_report(args: Any, project: Project) -> Report:
    """The evidence check's findings (nothing printed): the whole tree, or what changed since ``args.changed_since``."""
    root = Path(args.root).resolve()
    evidence_root = root / EVIDENCE
    notes: list[str] = []
    changed: set[str] | None = None
    revision = getattr(args, "changed_since", None)
    if revision:
        changed, note = changed_paths(root, revision)
        if note:
            notes.append(note)
    files = _scan(project, evidence_root, root)
    indicator_problems = _indicator_problems(project, evidence_root)
    report = build_report(project, files, indicator_problems, root=root, changed=changed)
    report.changed_since = revision if changed is not None else None
    report.notes = notes
    if changed is None and evidence_root.is_dir():
        existing = getattr(files, "material_folders", {}) or {}
        report.missing_folders = [f"{EVIDENCE}/{path}/" for path, _ in missing_folders(project.standard, existing)]
    return report


def _scan(project: Project, evidence_root: Path, root: Path) -> list[EvidenceFile]:
    from handbook.scan.evidence import scan_evidence

    if not evidence_root.is_dir():
        return []
    # git=True: a file is reported under its committer's unit (units.yml accounts/emails).
    return scan_evidence(project, evidence_root, cache_dir=root / ".cache" / "handbook", git=True)


def _indicator_problems(project: Project, evidence_root: Path) -> list[Problem]:
    """Problems of the indicator tables under evidence/indicators/ (they are evidence files too)."""
    from handbook.judge.indicators import evaluate_indicators

    try:
        _results, problems = evaluate_indicators(project, evidence_root)
    except Exception:  # a broken indicator module must not hide the file check
        log.exception("evaluating indicators failed")
        return []
    return list(problems)


# --------------------------------------------------------------------------- which files changed


def changed_paths(root: Path, revision: str) -> tuple[set[str] | None, str]:
    """Paths under evidence/ (relative to ``root``) changed since ``revision``, plus untracked ones.

    Returns (None, note) when git cannot answer (no repository, unknown revision, e.g. a shallow CI
    clone): the caller then checks everything, which is slower but never lets a bad file through.
    """
    if set(revision) == {"0"}:  # GitLab's CI_COMMIT_BEFORE_SHA on a new branch
        return None, f"版本 {revision} 表示新分支，没有可比较的上一版本，已改为检查全部文件。"
    diff = _git(root, "diff", "--name-only", "-z", "--relative", revision, "--", f"{EVIDENCE}/")
    if diff is None:
        return None, f"找不到版本“{revision}”（或当前目录不是 git 仓库），已改为检查全部文件。"
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", f"{EVIDENCE}/")
    paths = _split_z(diff) | _split_z(untracked or "")
    return paths, ""


def _git(root: Path, *argv: str) -> str | None:
    try:
        result = subprocess.run(
            # trustctime off: a site build's hard links change every evidence file's ctime, and git diff
            # against the work tree would otherwise re-read every file to find nothing changed.
            ["git", "-C", str(root), "-c", "core.quotepath=off", "-c", "core.trustctime=false", *argv],
            capture_output=True,
            check=False,
        )
    except OSError:
        log.warning("git is not installed")
        return None
    if result.returncode != 0:
        log.warning("git %s failed: %s", " ".join(argv[:2]), result.stderr.decode("utf-8", "replace").strip())
        return None
    return result.stdout.decode("utf-8", "surrogateescape")


def _split_z(text: str) -> set[str]:
    return {part for part in text.split("\0") if part}


# --------------------------------------------------------------------------- building the report


def build_report(
    project: Project,
    files: Iterable[EvidenceFile],
    indicator_problems: Iterable[Problem] = (),
    *,
    root: Path,
    changed: set[str] | None = None,
) -> Report:
    """Findings of the files in scope (all, or ``changed``: paths relative to ``root``)."""
    files = list(files)
    report = Report(scanned=len(files))
    in_scope = [f for f in files if changed is None or _touched(f, changed)]
    report.checked = len(in_scope)
    for file in in_scope:
        report.findings.extend(_findings_of(file))
        if not file.has_error:
            report.passed.append(f"{EVIDENCE}/{file.path}")
    report.findings.extend(_duplicates_of_changed(files, in_scope, changed))
    for diagnostic in indicator_problems:
        path = _diagnostic_path(diagnostic, root)
        if changed is None or path in changed:
            report.findings.append(_indicator_finding(diagnostic, path))
    report.findings.sort(key=_order_key(project))
    return report


def _touched(file: EvidenceFile, changed: set[str]) -> bool:
    """A file is in scope when it, or its sidecar, changed."""
    path = f"{EVIDENCE}/{file.path}"
    if path in changed:
        return True
    stem = str(PurePosixPath(path).with_suffix(""))
    return any(stem + suffix in changed for suffix in SIDECAR_SUFFIXES)


def _findings_of(file: EvidenceFile) -> list[Finding]:
    group = _group_of(file)
    return [
        Finding(
            path=f"{EVIDENCE}/{file.path}",
            group=group,
            code=problem.code,
            level=problem.level,
            message=format_problem(problem, beside=file.path, fix=False, full_place=True),
            fix=problem.fix,
            unit=file.unit,
            unit_raw=file.unit_raw,
            committer=file.committer,
            committer_unit=file.committer_unit,
        )
        for problem in file.problems
    ]


def _duplicates_of_changed(
    files: list[EvidenceFile], in_scope: list[EvidenceFile], changed: set[str] | None
) -> list[Finding]:
    """A changed file with the same content as an unchanged one, when the scanner flagged only the old one.

    The scanner marks every copy but the first by path; when the new file sorts first, the old file
    carries ``duplicate-content`` and the commit that added the copy would otherwise pass. The
    scanner's finding (same hash) is re-aimed at the changed file; no content is compared here.
    """
    if changed is None:
        return []
    scoped = {f.path for f in in_scope}
    unchanged_copies: dict[str, list[EvidenceFile]] = {}
    for f in files:
        if f.sha256 and f.path not in scoped and any(p.code == DUPLICATE for p in f.problems):
            unchanged_copies.setdefault(f.sha256, []).append(f)
    findings: list[Finding] = []
    for file in in_scope:
        if not file.sha256 or any(p.code == DUPLICATE for p in file.problems):
            continue
        copies = unchanged_copies.get(file.sha256)
        if not copies:
            continue
        old = copies[0]
        level = next(p.level for p in old.problems if p.code == DUPLICATE)
        also = f'also_for: ["{file.material}"]' if file.material else "also_for"
        findings.append(
            Finding(
                path=f"{EVIDENCE}/{file.path}",
                group=_group_of(file),
                code=DUPLICATE,
                level=level,
                message=f"与已有文件 {EVIDENCE}/{old.path} 内容完全相同（重复提交）",
                fix=f"同一份文件只保留一份：删除本文件；若它也用于本资料，在 {_sidecar_of(old.path)} 中写 {also}",
                unit=file.unit,
                unit_raw=file.unit_raw,
            )
        )
    return findings


def _sidecar_of(path: str) -> str:
    return f"{EVIDENCE}/{PurePosixPath(path).with_suffix('.yml')}"


def _group_of(file: EvidenceFile) -> str:
    """The committer's unit when units.yml knows the committer, else the unit the name gives."""
    if file.committer_unit:
        return file.committer_unit
    if file.unit:
        return file.unit
    return f"{UNRESOLVED}：{file.unit_raw}" if file.unit_raw else UNRESOLVED


def _diagnostic_path(diagnostic: Problem, root: Path) -> str:
    """The diagnostic's file relative to the project root, whatever form the indicator module used."""
    raw = Path(diagnostic.where.file)  # Where("") for a problem without a place
    if raw.is_absolute():
        try:
            return raw.resolve().relative_to(root).as_posix()
        except ValueError:
            return raw.as_posix()
    text = raw.as_posix()
    if text.startswith(f"{EVIDENCE}/") or (root / text).exists():
        return text
    return f"{EVIDENCE}/{text}"


def _indicator_finding(diagnostic: Problem, path: str) -> Finding:
    where = f"{path}:{diagnostic.where.line}" if diagnostic.where.line else path
    return Finding(
        path=where,
        group=INDICATOR_GROUP,
        code=diagnostic.code or "indicator-data",
        level=diagnostic.level,
        message=diagnostic.message,
        fix=diagnostic.fix,
    )


def _path_and_line(path: str) -> tuple[str, int]:
    """``values.csv:11`` → ("values.csv", 11), so that row 2 comes before row 11."""
    head, sep, line = path.rpartition(":")
    return (head, int(line)) if sep and line.isdigit() else (path, 0)


def _order_key(project: Project):
    """Units in the plan's order, then unresolved units, then the indicator tables; errors first."""
    rank = {name: i for i, name in enumerate(project.plan.units)}

    def key(finding: Finding) -> tuple:
        if finding.group in rank:
            group_rank = (0, rank[finding.group], "")
        elif finding.group == INDICATOR_GROUP:
            group_rank = (2, 0, "")
        else:
            group_rank = (1, 0, finding.group)
        return (*group_rank, *_path_and_line(finding.path), 0 if finding.level is Level.ERROR else 1, finding.code)

    return key


# --------------------------------------------------------------------------- output


def report_as_dict(report: Report) -> dict[str, Any]:
    by_unit = {
        group: {
            "errors": sum(1 for f in items if f.level is Level.ERROR),
            "warnings": sum(1 for f in items if f.level is Level.WARNING),
        }
        for group, items in report.groups().items()
    }
    return {
        "ok": report.ok,
        "changed_since": report.changed_since,
        "scanned_files": report.scanned,
        "checked_files": report.checked,
        "errors": report.errors,
        "warnings": report.warnings,
        "notes": report.notes,
        "by_unit": by_unit,
        "problems": [f.as_dict() for f in report.findings],
        "passed": report.passed,
        "missing_folders": report.missing_folders,
    }


def format_text(report: Report) -> str:
    """The evidence check alone, as a liaison reads it (``handbook.outputs.check_text``)."""
    from handbook.outputs.check_text import evidence_text

    return evidence_text(report)


