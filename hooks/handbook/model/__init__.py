"""The one model every view is rendered from: load → scan → judge → render.

Plain dataclasses, no MkDocs import. Every value loaded from YAML keeps the
place it came from (``Where``) so that any later message can name file and line.
"""

from __future__ import annotations

from handbook.model.core import (
    Diagnostic,
    IMAGE_TYPES,
    Level,
    Problem,
    format_problem,
    Where,
    material_key,
)
from handbook.model.standard import (
    Category,
    CountyVariant,
    EACH,
    Indicator,
    Item,
    Kind,
    Material,
    OPERATORS,
    Rule,
    RuleKind,
    STREET_KINDS,
    Slot,
    Standard,
    TIMINGS,
    TRENDS,
)
from handbook.model.plan import (
    Assignment,
    Forge,
    ForgeKind,
    Group,
    Obligation,
    Plan,
    Project,
    Stage,
    Unit,
    Waiver,
)
from handbook.model.evidence import (
    EvidenceFile,
    Sidecar,
)
from handbook.model.judged import (
    Archive,
    Campaign,
    Cell,
    FINDING_SOURCES,
    Finding,
    FindingState,
    IndicatorResult,
    IndicatorValue,
    Status,
    Summary,
    Tally,
    Verdict,
)

__all__ = [
    "EACH", "FINDING_SOURCES", "IMAGE_TYPES", "OPERATORS", "STREET_KINDS", "TIMINGS", "TRENDS", "Archive",
    "Assignment", "Campaign", "Category", "Cell", "CountyVariant", "Diagnostic", "EvidenceFile", "Finding",
    "FindingState", "Forge", "ForgeKind", "Group", "Indicator", "IndicatorResult", "IndicatorValue", "Item",
    "Kind", "Level", "Material", "Obligation", "Plan", "Problem", "Project", "Rule", "RuleKind", "Sidecar",
    "Slot", "Stage", "Standard", "Status", "Summary", "Tally", "Unit", "Verdict", "Waiver", "Where",
    "format_problem", "material_key",
]
