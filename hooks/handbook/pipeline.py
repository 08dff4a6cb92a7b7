"""load → scan → judge: the one function every view (site, package, export, CLI) starts from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

from handbook.model import Archive, Project

if TYPE_CHECKING:
    from handbook.scan.memo import FileMemo

log = logging.getLogger(__name__)


@contextmanager
def _timed(stats: dict, name: str):
    start = time.perf_counter()
    yield
    stats[f"{name}_seconds"] = round(time.perf_counter() - start, 3)


def build_archive(
    root: Path,
    *,
    today: dt.date | None = None,
    cache_dir: Path | None = None,
    git: bool = True,
    own_dirs: tuple[Path, ...] | None = None,
    file_memo: FileMemo | None = None,
    project: Project | None = None,
    later: Callable[[Callable[[], None]], None] | None = None,
) -> Archive:
    """Load the standard and plan under ``root``, scan ``root/evidence``, judge every cell and indicator.

    Raises nothing for bad input: every problem is a Problem on the project or a Problem on a file.
    ``archive.stats`` holds the time of each step and the scan's counters (files seen, hashed again).
    ``file_memo`` (handbook.scan.memo.FileMemo, kept by a ``mkdocs serve`` session) spares re-checking the files
    whose inputs did not change since the session's last scan; ``project`` is a project loaded earlier from the
    same standards/ (the session's quick rebuild, which has checked that no file there changed). It is not
    changed here: the scan's diagnostics go on the archive's copy.
    ``later``: where the scan puts work its result does not need (handbook.scan.evidence.scan_evidence).
    """
    from handbook.judge.indicators import evaluate_indicators
    from handbook.judge.cells import judge_cells, summarize
    from handbook.load.project import load_project
    from handbook.scan.evidence import scan_evidence
    from handbook.scan.git import history_start

    root = Path(root)
    stats: dict = {}
    with _timed(stats, "load"):
        if project is None:
            project = load_project(root, today=today)
    evidence_root = root / "evidence"
    with _timed(stats, "scan"):
        files = scan_evidence(project, evidence_root, cache_dir=cache_dir or default_cache_dir(root), git=git,
                              history_since=history_start(project.plan.today), own_dirs=own_dirs,
                              memo=file_memo, later=later)
    history_note = files.history_note
    if history_note is not None:  # a shallow clone: said on the site and fails --strict
        project = dataclasses.replace(project, diagnostics=[*project.diagnostics, history_note])
    with _timed(stats, "judge"):
        cells = judge_cells(project, files)
        archive = Archive(project=project, files=files, cells=cells, evidence_root=evidence_root, stats=stats,
                          recent_commits=files.recent_commits,
                          material_folders=dict(files.material_folders))
        archive.summary = summarize(archive)
    with _timed(stats, "indicators"):
        archive.indicators, archive.indicator_problems = evaluate_indicators(project, evidence_root)
    with _timed(stats, "findings"):
        _add_findings(archive)
    stats.update(dataclasses.asdict(files.stats))  # the scan's counters travel on its result, nowhere else
    stats["files"] = len(files)
    return archive


def _add_findings(archive: Archive) -> None:
    """The campaign's findings table, judged against today (its problems are the table's, like the indicators')."""
    from handbook.judge.findings import judge_findings
    from handbook.load.campaign import load_campaign
    from handbook.scan.findings_table import read_findings

    project = archive.project
    archive.campaign = load_campaign(project.root, project.diagnostics)
    evidence_root = archive.evidence_root or project.root / "evidence"
    findings, problems = read_findings(evidence_root, project.plan, project.standard.items)
    archive.findings = judge_findings(findings, project.plan.today, archive.campaign.rebound_days)
    archive.finding_problems = problems


def default_cache_dir(root: Path) -> Path:
    """Kept outside site/ (which MkDocs empties) and safe to delete: only hashes and page counts live there."""
    return Path(root) / ".cache" / "handbook"
