"""load → scan → judge: the one function every view (site, package, export, CLI) starts from."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from handbook.model import Archive

log = logging.getLogger(__name__)


def build_archive(
    root: Path,
    *,
    today: dt.date | None = None,
    cache_dir: Path | None = None,
    git: bool = True,
) -> Archive:
    """Load the standard and plan under ``root``, scan ``root/evidence``, judge every cell and indicator.

    Raises nothing for bad input: every problem is a Diagnostic on the project or a Problem on a file.
    """
    from handbook.indicators import evaluate_indicators
    from handbook.judge import judge_cells, summarize
    from handbook.project import load_project
    from handbook.scan import scan_evidence

    project = load_project(root, today=today)
    evidence_root = root / "evidence"
    files = scan_evidence(project, evidence_root, cache_dir=cache_dir or root / ".cache" / "handbook", git=git)
    cells = judge_cells(project, files)
    archive = Archive(project=project, files=files, cells=cells, evidence_root=evidence_root)
    archive.summary = summarize(archive)
    archive.indicators, archive.indicator_problems = evaluate_indicators(project, evidence_root)
    return archive
