"""Judge each finding's state from its dates and today, and roll the findings up.

The state is derived, never typed (DESIGN.md §6):

- 已销号: rectified (整改日期) and confirmed (销号人);
- 已整改待确认: rectified, not yet confirmed;
- 反弹: open, and a finding at the same place for the same item was rectified at most ``rebound_days`` days
  before this one was found (0 days: found again on the day it was rectified);
- 逾期: open and today is after the deadline (on the deadline day itself it is still 待整改);
- 待整改: open otherwise.

An open finding that is both 反弹 and past its deadline shows 反弹 and keeps ``overdue`` True, so the
督办单 still lists it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from handbook.model import Finding, FindingState
from handbook.scan.indicator_table import normalize_text

OPEN_STATES = (FindingState.REBOUND, FindingState.OVERDUE, FindingState.OPEN)
# The order lists show: what needs someone first.
STATE_ORDER = (FindingState.REBOUND, FindingState.OVERDUE, FindingState.OPEN, FindingState.FIXED, FindingState.CLOSED)


def judge_findings(findings: list[Finding], today: dt.date, rebound_days: int) -> list[Finding]:
    """Set ``state``, ``overdue`` and ``rebound_of`` on every finding (in place); returns them."""
    for finding in findings:
        finding.overdue = finding.is_open and finding.deadline is not None and today > finding.deadline
        finding.rebound_of = _rebound_of(finding, findings, rebound_days)
        finding.state = _state(finding)
    return findings


def _state(finding: Finding) -> FindingState:
    if finding.fixed is not None:
        return FindingState.CLOSED if finding.confirmer else FindingState.FIXED
    if finding.rebound_of:
        return FindingState.REBOUND
    return FindingState.OVERDUE if finding.overdue else FindingState.OPEN


def same_spot(finding: Finding) -> tuple[str, int | None]:
    """Place and item, the place compared without spaces and full-width differences."""
    return normalize_text(finding.place), finding.item


def _rebound_of(finding: Finding, findings: list[Finding], days: int) -> str:
    """The id of the latest earlier finding at the same spot rectified within ``days`` before this was found."""
    if finding.found is None or finding.item is None or not finding.place:
        return ""
    spot = same_spot(finding)
    best: Finding | None = None
    found = finding.found
    for earlier in findings:
        if earlier is finding or earlier.fixed is None or same_spot(earlier) != spot:
            continue
        if earlier.found is not None and earlier.found > found:
            continue  # a later finding cannot be what this one repeats
        gap = (found - earlier.fixed).days
        if 0 <= gap <= days and (best is None or best.fixed is None or earlier.fixed > best.fixed):
            best = earlier
    return best.id if best else ""


# --------------------------------------------------------------------------- roll-ups


@dataclass(slots=True)
class FindingTally:
    counts: dict[FindingState, int] = field(default_factory=lambda: {s: 0 for s in FindingState})
    overdue: int = 0  # open past deadline (including 反弹 ones)
    closed_on_time: int = 0  # rectified by the deadline
    closed_late: int = 0

    def add(self, finding: Finding) -> None:
        self.counts[finding.state] += 1
        self.overdue += finding.overdue
        on_time = finding.on_time
        if on_time is True:
            self.closed_on_time += 1
        elif on_time is False:
            self.closed_late += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def open(self) -> int:
        return sum(self.counts[s] for s in OPEN_STATES)

    @property
    def on_time_percent(self) -> float | None:
        """Findings rectified by their deadline, of those that were due (rectified, or open past the deadline)."""
        due = self.closed_on_time + self.closed_late + self.overdue
        return round(100.0 * self.closed_on_time / due, 1) if due else None

    def as_dict(self) -> dict:
        return {**{s.value: n for s, n in self.counts.items()}, "total": self.total, "open": self.open,
                "overdue": self.overdue, "closed_on_time": self.closed_on_time, "closed_late": self.closed_late,
                "on_time_percent": self.on_time_percent}


def tally(findings: Iterable[Finding]) -> FindingTally:
    result = FindingTally()
    for finding in findings:
        result.add(finding)
    return result


def roll_up(findings: Iterable[Finding], keys: Callable[[Finding], Iterable[object]]) -> dict[object, FindingTally]:
    """A tally per key; ``keys`` gives every key a finding counts under (a unit roll-up counts both units)."""
    out: dict[object, FindingTally] = defaultdict(FindingTally)
    for finding in findings:
        for key in keys(finding):
            if key is not None:
                out[key].add(finding)
    return dict(out)


def by_unit(findings: Iterable[Finding]) -> dict[object, FindingTally]:
    return roll_up(findings, lambda f: f.units)


def by_area(findings: Iterable[Finding]) -> dict[object, FindingTally]:
    return roll_up(findings, lambda f: (f.area_unit,))


def by_item(findings: Iterable[Finding]) -> dict[object, FindingTally]:
    return roll_up(findings, lambda f: (f.item,))


def by_source(findings: Iterable[Finding]) -> dict[object, FindingTally]:
    return roll_up(findings, lambda f: (f.source,))


def by_month(findings: Iterable[Finding]) -> dict[object, FindingTally]:
    return roll_up(findings, lambda f: (f.found.strftime("%Y-%m") if f.found else None,))


def sort_for_list(findings: Iterable[Finding]) -> list[Finding]:
    """Open first (反弹, 逾期, 待整改), then 待确认 and 已销号; the nearest deadline, then the newest, first."""
    rank = {state: i for i, state in enumerate(STATE_ORDER)}
    return sorted(findings, key=lambda f: (rank[f.state], f.deadline or dt.date.max,
                                           -(f.found or dt.date.min).toordinal(), f.id))
