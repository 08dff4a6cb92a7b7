"""Which indicators changed verdict in a period: the values table as git had it before and at the end.

Only the 工作简报 asks this, from the ``notices`` command (never during a site build, which keeps its one git
call). The table at a date is the last commit touching evidence/indicators/ before that date; it is
judged with the same rules (``evaluate_indicators``) in a temporary folder. Outside git: None.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

from handbook.judge.campaign_report import Period
from handbook.judge.indicators import TABLE_NAMES, evaluate_indicators, verdict_label
from handbook.model import Archive

TIMEOUT_S = 60


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _verdicts_at(archive: Archive, day: dt.date) -> dict[int, str] | None:
    root = archive.project.root
    sha = _git(root, "log", "-1", "--format=%H", f"--before={day.isoformat()}T00:00:00", "--", "evidence/indicators")
    if sha is None:
        return None
    with tempfile.TemporaryDirectory(prefix="handbook-indicators-") as tmp:
        folder = Path(tmp) / "indicators"
        folder.mkdir()
        for name in TABLE_NAMES if sha.strip() else ():
            data = _git(root, "show", f"{sha.decode().strip()}:evidence/indicators/{name}")
            if data is not None:
                (folder / name).write_bytes(data)
        results, _ = evaluate_indicators(archive.project, Path(tmp))
    return {n: verdict_label(r) for n, r in results.items()}


def verdict_changes(archive: Archive, period: Period) -> list[list] | None:
    """Rows [number, name, verdict before, verdict after] for each indicator whose verdict changed."""
    if _git(archive.project.root, "rev-parse", "--is-inside-work-tree") is None:
        return None
    before = _verdicts_at(archive, period.start)
    after: dict[int, str] | None
    if period.end >= archive.project.plan.today:
        after = {n: verdict_label(r) for n, r in archive.indicators.items()}
    else:
        after = _verdicts_at(archive, period.end + dt.timedelta(days=1))
    if before is None or after is None:
        return None
    names = {n: (r.name or "") for n, r in archive.indicators.items()}
    return [[n, names.get(n, ""), before.get(n, "缺数据"), after[n]] for n in sorted(after) if before.get(n, "缺数据") != after[n]]
