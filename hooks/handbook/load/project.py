"""``load_project``: the standard and the city's plan, loaded and validated together.

Never raises for bad input. Every problem in every file is collected (not just the first), and
whatever could be loaded is returned, so a site can still be built next to a list of errors.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from handbook.problems import error, sort_key, warning
from handbook.model import Problem, Project, Where
from handbook.load.plan import load_plan
from handbook.load.standard import Broken, load_standard
from handbook.load.suppliers import resolve_obligations

log = logging.getLogger(__name__)

EXPECTED_COUNTS = {"categories": 7, "items": 45, "indicators": 56}


def load_project(root: Path, *, today: dt.date | None = None) -> Project:
    """Load standards/national/ and standards/local/ under ``root``; see ``Project.diagnostics``."""
    root = Path(root)
    diagnostics: list[Problem] = []
    if not (root / "standards").is_dir():
        diagnostics.append(
            error(Where("standards"), f"项目根目录 {root} 下没有 standards/ 文件夹", "在项目根目录运行，或用 --root 指定", "no-standards")
        )
    broken = Broken()  # what the standard names but could not load: the plan does not report it again
    standard = load_standard(root, diagnostics, broken)
    plan = load_plan(root, standard, diagnostics, today=today, broken=broken)
    plan.obligations = resolve_obligations(standard, plan, diagnostics)
    log.debug("loaded %s: %d diagnostics", root, len(diagnostics))
    return Project(root=root, standard=standard, plan=plan, diagnostics=diagnostics)


def count_warnings(project: Project) -> list[Problem]:
    """Warnings when the standard is not the full national one (7 categories, 45 items, 56 indicators).

    Not part of ``load_project``: reduced standards are fine for tests and demos; ``check`` adds these.
    """
    standard = project.standard
    found = {"categories": len(standard.categories), "items": len(standard.items), "indicators": len(standard.indicators)}
    names = {"categories": ("categories.yml", "分类"), "items": ("items.yml", "事项"), "indicators": ("indicators.yml", "指标")}
    out: list[Problem] = []
    for key, expected in EXPECTED_COUNTS.items():
        if found[key] != expected:
            file, noun = names[key]
            out.append(
                warning(
                    Where(f"standards/national/{file}"),
                    f"共有 {found[key]} 个{noun}，国家标准（2021版）应为 {expected} 个",
                    f"补齐缺少的{noun}（演示或测试用的精简标准可忽略此提示）",
                    "incomplete-standard",
                )
            )
    return out


def sorted_diagnostics(diagnostics: list[Problem]) -> list[Problem]:
    return sorted(diagnostics, key=sort_key)
