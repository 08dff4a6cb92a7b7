"""What was committed under evidence/ lately, by unit and item: the weekly 简报 and the /changes/ page.

The build's one ``git log`` (handbook.scan.git, read with the scan) brings the whole period; everything else
(the 7- and 30-day views, the tables by unit and by item) is computed from that one answer. Paths are mapped to item, material
and unit from the evidence contract (``evidence/NN…/NN.K…/<年度>-<单位>-<标题>.<ext>``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from handbook.scan.names import parse_file_name, parse_item_folder, parse_material_folder
from handbook.scan.git import CHANGE_WINDOWS, Commit, read_history
from handbook.model import Project

log = logging.getLogger(__name__)

EVIDENCE = "evidence"
CHANGES_URI = "changes.md"  # where the site puts the page (src uri); links are relative to it
WINDOWS = CHANGE_WINDOWS  # days shown on the page
# Changes listed one by one on the page (the tables above them always count everything): 200 rows of city-size
# paths made the page 210 KB at N = 10,000; 100 keep it near 110 KB. The command line lists them all.
LIST_LIMIT = 100
# Items named beside a unit, units beside an item, in the two tables: a unit that filed under 40 items in a week
# shows the first 12 and the count (its own page lists them all); 45 links per row were 23 KB per table.
RELATED_SHOWN = 12

ACTIONS = {"A": "新增", "M": "修改", "D": "删除", "R": "重命名", "C": "复制", "T": "改类型"}
NO_UNIT = "（未注明单位）"
UNRESOLVED = "未识别单位"
INDICATOR_FOLDER = "indicators"



@dataclass(frozen=True, slots=True)
class Change:
    """One file touched by one commit."""

    commit: str
    when: dt.datetime  # committer date, in the committer's time zone
    author: str
    subject: str
    status: str  # git's letter: A M D R C T
    path: str  # relative to the project root, e.g. "evidence/03/03.1-计划/2023-市爱卫办-计划.pdf"
    old_path: str | None = None  # for renames and copies
    item: int | None = None
    material: str | None = None
    year: str = ""
    unit: str | None = None  # canonical unit name when the plan knows it
    unit_raw: str = ""  # the unit as written in the file name
    email: str = ""  # the author's e-mail
    by_committer: bool = False  # the name gives no known unit: ``unit`` is the committer's (units.yml)

    @property
    def action(self) -> str:
        return ACTIONS.get(self.status, self.status)

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def unit_label(self) -> str:
        """The unit it is counted under; the detail table marks one counted by its committer."""
        if self.unit:
            return self.unit
        return f"{UNRESOLVED}：{self.unit_raw}" if self.unit_raw else NO_UNIT


# --------------------------------------------------------------------------- reading git


def collect_changes(
    root: Path, *, since: dt.date, until: dt.date, project: Project | None = None
) -> list[Change]:
    """Changes under evidence/ committed from ``since`` to ``until`` (both days included), newest first.

    Outside a git checkout, or without git, the answer is an empty list.
    """
    # A day more on the early side (time zones); the exact days are kept by the committer date.
    history = read_history(Path(root) / EVIDENCE, (), since=since - dt.timedelta(days=1))
    return changes_in(history.recent or [], since=since, until=until, root=root, project=project)


def changes_in(
    commits: Iterable[Commit], *, since: dt.date, until: dt.date, root: Path, project: Project | None = None
) -> list[Change]:
    """The commits' evidence changes from ``since`` to ``until``, located (item, material, unit), newest first."""
    plan_resolver = _resolver(root, project)
    changes = [
        _located(change, plan_resolver)
        for commit in commits
        if since <= commit.committed.date() <= until
        for change in _changes_of(commit)
    ]
    changes.sort(key=lambda c: (c.when, c.commit, c.path), reverse=True)
    return changes


def _changes_of(commit: Commit) -> Iterator[Change]:
    # gitinfo's paths are relative to evidence/; a Change names the path from the project root.
    for status, path, old in commit.paths:
        yield Change(commit.sha, commit.committed, commit.author, commit.subject, status, f"{EVIDENCE}/{path}",
                     old_path=f"{EVIDENCE}/{old}" if old else None, email=commit.email)


def _resolver(root: Path, project: Project | None):
    """A function (raw unit name, author, e-mail) → (canonical name or None, whether it is the committer's);
    loads the plan when not given. A name naming no known unit falls back to the committer's unit."""
    if project is None:
        try:
            from handbook.load.project import load_project

            project = load_project(root)
        except Exception:  # a broken plan must not hide the history
            log.warning("could not load the plan under %s; units shown as written", root, exc_info=True)
            return lambda raw, author, email: (None, False)
    plan = project.plan

    def resolve(raw: str, author: str, email: str) -> tuple[str | None, bool]:
        unit = plan.resolve_unit(raw) if raw else None
        if unit is not None:
            return unit.name, False
        committer = plan.committer_unit(author, email)
        return committer, committer is not None

    return resolve


def locate(path: str) -> dict:
    """Item, material, year and unit (as written) from an evidence path; parts that cannot be read stay empty.

    Reads names with the scanner's own parser (``handbook.scan.names``), so full-width digits and the
    other spellings it tolerates map the same way here as on the rest of the site.
    """
    parts = PurePosixPath(path).parts
    found: dict = {"item": None, "material": None, "year": "", "unit_raw": ""}
    if len(parts) < 3 or parts[0] != EVIDENCE or parts[1] == INDICATOR_FOLDER:
        return found
    found["item"] = parse_item_folder(parts[1]).number
    if len(parts) >= 4:
        material = parse_material_folder(parts[2])
        found["material"] = material.material
        if found["item"] is None:
            found["item"] = material.item
    name = parse_file_name(parts[-1])
    found["year"], found["unit_raw"] = name.year_raw, name.unit_raw
    return found


def _located(change: Change, resolve) -> Change:
    found = locate(change.path)
    unit, by_committer = resolve(found["unit_raw"], change.author, change.email)
    return Change(
        change.commit, change.when, change.author, change.subject, change.status, change.path,
        change.old_path, found["item"], found["material"], found["year"], unit, found["unit_raw"],
        change.email, by_committer,
    )


# --------------------------------------------------------------------------- summaries


@dataclass(slots=True)
class Row:
    """Counts for one unit or one item over a period."""

    key: str
    added: int = 0
    modified: int = 0
    deleted: int = 0
    commits: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)  # items (for a unit) or units (for an item)

    def add(self, change: Change, related: str | None) -> None:
        if change.status in ("A", "C"):
            self.added += 1
        elif change.status == "D":
            self.deleted += 1
        else:
            self.modified += 1
        self.commits.add(change.commit)
        if related:
            self.related.add(related)

    @property
    def total(self) -> int:
        return self.added + self.modified + self.deleted


def by_unit(changes: Iterable[Change], plan_order: Iterable[str] = ()) -> list[Row]:
    rows: dict[str, Row] = {}
    for change in changes:
        item = f"{change.item:02d}" if change.item is not None else None
        rows.setdefault(change.unit_label, Row(change.unit_label)).add(change, item)
    order = {name: i for i, name in enumerate(plan_order)}
    return sorted(rows.values(), key=lambda r: (-r.total, order.get(r.key, len(order)), r.key))


def by_item(changes: Iterable[Change]) -> list[Row]:
    rows: dict[str, Row] = {}
    for change in changes:
        key = _item_key(change)
        rows.setdefault(key, Row(key)).add(change, change.unit_label)
    return sorted(rows.values(), key=lambda r: r.key)


def _item_key(change: Change) -> str:
    if change.item is not None:
        return f"{change.item:02d}"
    parts = PurePosixPath(change.path).parts
    return "指标数据" if len(parts) > 1 and parts[1] == INDICATOR_FOLDER else "其他"


def within(changes: Iterable[Change], since: dt.date, until: dt.date) -> list[Change]:
    return [c for c in changes if since <= c.when.date() <= until]


# --------------------------------------------------------------------------- text (CLI)


def format_text(changes: list[Change], *, since: dt.date, until: dt.date, project: Project | None = None) -> str:
    order = list(project.plan.units) if project else []
    commits = len({c.commit for c in changes})
    lines = [f"{since.isoformat()} 至 {until.isoformat()}：{commits} 次提交，改动 {len(changes)} 个佐证材料文件。"]
    if not changes:
        return lines[0] + "\n"
    lines += ["", "按单位："]
    for row in by_unit(changes, order):
        items = "、".join(sorted(row.related)) or "—"
        lines.append(f"  {row.key}：新增 {row.added}，修改 {row.modified}，删除 {row.deleted}（项 {items}）")
    lines += ["", "按项："]
    for row in by_item(changes):
        label = _item_label(row.key, project)
        lines.append(f"  {label}：新增 {row.added}，修改 {row.modified}，删除 {row.deleted}"
                     f"（{'、'.join(sorted(row.related))}）")
    lines += ["", "明细："]
    for change in changes:
        moved = f"（原 {change.old_path}）" if change.old_path else ""
        lines.append(f"  {change.when:%Y-%m-%d %H:%M} {change.action} {change.path}{moved} — {change.author}")
    return "\n".join(lines) + "\n"


def _item_label(key: str, project: Project | None) -> str:
    if key.isdigit() and project is not None and int(key) in project.standard.items:
        return f"第 {int(key)} 项 {project.standard.items[int(key)].title}"
    return f"第 {int(key)} 项" if key.isdigit() else key


# --------------------------------------------------------------------------- the site page


def render_changes_page(
    root: Path,
    today: dt.date,
    *,
    project: Project | None = None,
    commits: list[Commit] | None = None,
    here: str = CHANGES_URI,
) -> str:
    """The /changes/ page: what was committed in the last 7 and 30 days, by unit and item (Markdown).

    ``commits``: the history the scan already read (from ``history_start(today)`` on); without it git is asked.
    """
    from handbook.render import environment
    from handbook.render.context import item_uri, relative, unit_uri, url_path

    if project is None:
        try:
            from handbook.load.project import load_project

            project = load_project(Path(root), today=today)
        except Exception:
            log.warning("could not load the plan under %s", root, exc_info=True)
    longest = max(WINDOWS)
    first = today - dt.timedelta(days=longest - 1)
    if commits is None:
        changes = collect_changes(Path(root), since=first, until=today, project=project)
    else:
        changes = changes_in(commits, since=first, until=today, root=Path(root), project=project)
    order = list(project.plan.units) if project else []

    def link(target: str) -> Markup:
        # Percent-encoded, so nothing in it is Markdown or HTML syntax.
        return Markup(url_path(relative(target, here)))

    def unit_link(name: str) -> Markup | None:
        unit = project.plan.units.get(name) if project else None
        return link(unit_uri(unit)) if unit else None

    def item_link(key: str) -> Markup | None:
        if key.isdigit() and project is not None and int(key) in project.standard.items:
            return link(item_uri(int(key)))
        return None

    periods = []
    for days in WINDOWS:
        since = today - dt.timedelta(days=days - 1)
        chosen = within(changes, since, today)
        periods.append({
            "days": days,
            "since": since,
            "until": today,
            "commits": len({c.commit for c in chosen}),
            "files": len(chosen),
            "unit_rows": by_unit(chosen, order),
            "item_rows": by_item(chosen),
            "changes": chosen[:LIST_LIMIT],
            "more": max(0, len(chosen) - LIST_LIMIT),
        })
    template = environment().get_template("changes.md.j2")
    return template.render(
        today=today,
        periods=periods,
        item_label=lambda key: _item_label(key, project),
        unit_link=unit_link,
        item_link=item_link,
        related_shown=RELATED_SHOWN,
    )
