"""What a unit must fix, as its 催报单 lists it, and whether that list may be shown on the site.

A 催报单 holds restricted data when it lists a file marked ``restricted: true`` or a file whose name carries
personal data (an ID card or phone number): such a workbook is written but never published.
"""

from __future__ import annotations

from collections.abc import Iterable

from handbook.model import Archive, Cell, EvidenceFile, Status

PERSONAL = "personal-data"


def owners_of(cell: Cell) -> tuple[str, ...]:
    """Every unit answerable for a cell (all lead units share an item's common cells)."""
    return cell.owners or ((cell.owner,) if cell.owner else ())


def problem_files(archive: Archive, unit: str) -> list[EvidenceFile]:
    """Files with problems that ``unit`` must fix: its own (by name, else by committer), and unattributed
    ones in cells it answers for."""
    in_its_cells = {p for c in archive.cells if unit in owners_of(c) and c.status is Status.REVIEW for p in c.files}
    files = [f for f in archive.files if f.problems and (f.unit == unit or (f.unit is None and f.path in in_its_cells))]
    return sorted(files, key=lambda f: f.path)


def holds_restricted(files: Iterable[EvidenceFile]) -> bool:
    return any(f.restricted or any(p.code == PERSONAL for p in f.problems) for f in files)


def unit_may_publish(archive: Archive, unit: str) -> bool:
    """Whether ``unit``'s 催报单 may go on the site."""
    return not holds_restricted(problem_files(archive, unit))


def summary_may_publish(archive: Archive) -> bool:
    """The 催报汇总 lists every problem file of the city."""
    return not holds_restricted(f for f in archive.files if f.problems)
