"""One resolution of the project's settings, used by the MkDocs plugin and by every command.

Where a value can come from several places, the precedence is the same everywhere:

1. the flag: ``--today`` / ``--root`` / ``--out`` of a command, or ``extra.handbook`` in mkdocs.yml for the site;
2. the environment: ``HANDBOOK_TODAY``;
3. the city's plan: ``today:`` in standards/local/city.yml;
4. the system date.

So ``HANDBOOK_TODAY=2026-11-23 python -m handbook worklist`` and ``HANDBOOK_TODAY=2026-11-23 mkdocs build``
judge the same cells overdue, whatever city.yml says. Output folders have one default each, outside site/
(MkDocs publishes everything under site/, and the package may hold restricted files).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from handbook.model import Problem, Where
from handbook.problems import error

TODAY_ENV = "HANDBOOK_TODAY"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the project lives and what it writes; ``today`` is the flag's value (None: not given)."""

    root: Path
    today: dt.date | None = None
    package_out: Path | None = None  # None: the default, ``package_dir``

    @property
    def evidence_dir(self) -> Path:
        return self.root / "evidence"

    @property
    def cache_dir(self) -> Path:
        """Kept outside site/ (which MkDocs empties) and safe to delete: hashes, page stores, last package."""
        return self.root / ".cache" / "handbook"

    @property
    def package_dir(self) -> Path:
        """Where the review package is written: the flag, else the cache (never under site/ by default)."""
        return self.package_out if self.package_out is not None else self.cache_dir / "package"

    @property
    def worklist_dir(self) -> Path:
        return self.cache_dir / "worklists"


def resolve(root: Path | str, *, today: dt.date | None = None, package_out: Path | str | None = None) -> Settings:
    return Settings(root=Path(root).resolve(), today=today,
                    package_out=Path(package_out).resolve() if package_out else None)


def resolve_today(flag: dt.date | None, from_city: dt.date | None, diagnostics: list[Problem]) -> dt.date:
    """The flag, else $HANDBOOK_TODAY, else city.yml ``today``, else the system date (see the module doc)."""
    if flag is not None:
        return flag
    text = os.environ.get(TODAY_ENV, "").strip()
    if text:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            diagnostics.append(error(Where(f"环境变量 {TODAY_ENV}"), f"值“{text[:40]}”不是 YYYY-MM-DD 格式的日期",
                                     f"改为如 {TODAY_ENV}=2026-11-23，或删去这个环境变量", "bad-date"))
    if from_city is not None:
        return from_city
    return dt.date.today()
