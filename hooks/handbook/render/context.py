"""View helpers for the site templates: escaping, badges, sizes, dates, links, rankings.

Nothing here imports MkDocs. Every string that came from YAML, a file name or a sidecar goes through
``md_escape`` (Markdown context) or ``html_escape`` (raw-HTML blocks such as SVG) before it reaches a page.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from handbook.scan.indicator_table import ABSENT_WORDS, PRESENT_WORDS, normalize_text
from handbook.scan.links import FOREIGN_CODE
from handbook.model import EvidenceFile, IndicatorValue, Plan, Sidecar, Stage, Status, Tally, Unit, Verdict

log = logging.getLogger(__name__)

# The punctuation Python-Markdown reads as syntax (its ESCAPED_CHARS plus the tables' "|"); a backslash
# makes each literal. "<", ">" and "&" become entities instead. No extension that adds syntax (~~, ==, ^^,
# magic links) is enabled, so this set is complete for our mkdocs.yml.
_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")

STATUS_CLASS: dict[Status, str] = {
    Status.COLLECTED: "hb-ok",
    Status.MISSING: "hb-missing",
    Status.OVERDUE: "hb-overdue",
    Status.WAIVED: "hb-waived",
    Status.REVIEW: "hb-review",
}

# The only extensions the site serves as files: documents, spreadsheets, images, audio and video, which a
# browser shows inertly or downloads. Anything else (HTML, SVG, XML/XHTML, XSL, scripts, Markdown that MkDocs
# would render as a page...) could run script on the intranet site: it is listed, never published.
SERVED_EXTENSIONS = frozenset({
    "pdf", "ofd", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "csv", "txt",
    "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic",
    "mp3", "m4a", "wav", "mp4", "mov", "avi", "zip", "rar", "7z",
})


def md_escape(value: object) -> Markup:
    """Escape for a Markdown inline context: no syntax, no HTML, one line (safe in table cells)."""
    text = _LINE_BREAKS.sub(" ", str(value)).strip()
    text = _MD_SPECIALS.sub(r"\\\1", text)
    return Markup(html.escape(text, quote=True))


def html_escape(value: object) -> Markup:
    """Escape for a raw-HTML block (Markdown does not run there, so no backslashes)."""
    return Markup(html.escape(str(value), quote=True))


def _finalized(value: object, escape) -> object:
    if value is None:
        return ""
    if isinstance(value, (Markup, int, float)):
        return value
    return escape(value)


def finalize(value: object) -> object:
    """Jinja ``finalize``: every ``{{ }}`` output is Markdown-escaped unless already Markup."""
    return _finalized(value, md_escape)


def finalize_html(value: object) -> object:
    """Jinja ``finalize`` of the pages written as HTML: every ``{{ }}`` output is HTML-escaped unless Markup."""
    return _finalized(value, html_escape)


def badge(status: Status | str, label: str | None = None) -> Markup:
    """A status badge: coloured, and the word itself so it prints and reads without colour."""
    status = Status(status)
    text = html.escape(label or status.value)
    return Markup(f'<span class="hb-badge {STATUS_CLASS[status]}">{text}</span>')


def percent_class(percent: float) -> Markup:
    """A CSS class for a completion percentage (a constant, so safe inside an attribute)."""
    if percent >= 90:
        return Markup("hb-ok")
    if percent >= 60:
        return Markup("hb-review")
    return Markup("hb-missing")


def human_size(size: int | None) -> str:
    """Bytes as 字节/KB/MB/GB with one decimal (1024 based, as file managers show it)."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}"
    return f"{size} B"  # pragma: no cover


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def fmt_percent(value: float) -> str:
    return f"{value:.1f}%"


def years_label(years: tuple[int, ...] | list[int]) -> str:
    years = sorted(years)
    if not years:
        return ""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}至{years[-1]}"
    return "、".join(str(y) for y in years)


def fmt_number(value: float) -> str:
    """A measured value as people write it: no trailing zeros, no exponent (93.1, 100, 2.31, 245.3)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def fmt_indicator_value(value: IndicatorValue) -> str:
    """The parsed value with its unit ("93.1%", "271天", "C级", "有"), never the raw typed text."""
    number, unit = split_indicator_value(value)
    return f"{number}{unit}"


def split_indicator_value(value: IndicatorValue) -> tuple[str, str]:
    """``fmt_indicator_value`` in two parts, so a page may let a long unit (平方米, /10万) wrap."""
    if isinstance(value.value, float | int):
        # As many decimals as the person typed ("3.0" stays 3.0), whatever the width of the digits.
        typed = _DECIMALS.search(normalize_text(value.raw))
        number = f"{value.value:.{len(typed.group(1))}f}" if typed else fmt_number(float(value.value))
        return number, value.unit
    if value.value in ("有", "无"):
        # Keep the person's recognised word (达到, 是 …) where it reads better than 有/无.
        word = normalize_text(value.raw)
        return (word if word in PRESENT_WORDS | ABSENT_WORDS else str(value.value)), ""
    if value.value is None:
        return "", ""
    return str(value.value), value.unit


_DECIMALS = re.compile(r"\d\.(\d{1,6})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def same_but_year(texts_by_year: dict[str, list[int]]) -> str | None:
    """"登封市2023年…报告", "登封市2024年…报告" → "登封市××××年…报告" when the texts differ only in
    the year each one is for; else None."""
    shapes = set()
    for text, years in texts_by_year.items():
        if len(years) != 1 or _YEAR.findall(text) != [str(years[0])] * len(_YEAR.findall(text)) or not _YEAR.search(text):
            return None
        shapes.add(_YEAR.sub("××××", text))
    return shapes.pop() if len(shapes) == 1 else None


VERDICT_CLASS = {Verdict.PASS: "pass", Verdict.FAIL: "fail", Verdict.NO_DATA: "nodata"}


def anchor(text: str) -> Markup:
    """An HTML id from a material id or similar key: ASCII letters, digits and '-' only."""
    return Markup("m" + re.sub(r"[^0-9A-Za-z]+", "-", str(text)).strip("-"))


def relative(target: str, here: str) -> str:
    """A Markdown link from the page ``here`` (src uri, e.g. items/01.md) to ``target`` (src uri)."""
    return posixpath.relpath(target, posixpath.dirname(here) or ".")


def url_path(path: str) -> str:
    """Percent-encode a path for a Markdown link destination (spaces, brackets, <, > all encoded)."""
    return quote(path, safe="/")


def evidence_uri(path: str) -> str:
    """Where an evidence file lives in the site: evidence/<its path under evidence/>."""
    return f"evidence/{path}"


def sidecar_line(sidecar: Sidecar | None) -> str:
    """What a file's sidecar says, in one line under its title: 文号 · 类型 · 发文机关 · 日期 · 页码."""
    if sidecar is None:
        return ""
    parts = [sidecar.doc_number, sidecar.doc_type, sidecar.issuer]
    if sidecar.issued:
        parts.append(f"{sidecar.issued.isoformat()} 印发")
    if sidecar.effective:
        parts.append(f"{sidecar.effective.isoformat()} 施行")
    if sidecar.pages:
        parts.append(f"第 {sidecar.pages} 页")
    return " · ".join(p for p in parts if p)


def is_published(file: EvidenceFile) -> bool:
    """Whether the site offers the file itself: read by the scan, not restricted, of a type served as is, and
    the department's own file (not a hard link to a file elsewhere, see handbook.scan.links)."""
    return (file.readable and not file.restricted and is_served(file.path)
            and not any(p.code == FOREIGN_CODE for p in file.problems))


def is_served(path: str) -> bool:
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return ext in SERVED_EXTENSIONS


def item_uri(number: int) -> str:
    return f"items/{number:02d}.md"


def category_uri(number: int) -> str:
    return f"categories/{number}.md"


def unit_uri(unit: Unit) -> str:
    return f"units/{unit.slug}.md"


@dataclass(frozen=True, slots=True)
class RankRow:
    unit: Unit
    tally: Tally
    rank: int | None  # None: owes fewer cells than plan.min_ranked_cells, listed but not ranked
    group: str = ""  # the peer group's label


# Peer groups of a 通报: 街道/乡镇 are compared among themselves (the seeds' 流动红旗), departments likewise.
PEER_GROUPS = (("streets", "街道、乡镇"), ("departments", "市直部门和单位"))


def peer_group(unit: Unit) -> str:
    return "streets" if unit.is_street else "departments"


def unit_ranking(plan: Plan, by_unit: dict[str, Tally], group: str | None = None) -> list[RankRow]:
    """Units that owe cells (of one peer group, or all), best completion first; equal rates share a rank.

    Ties are listed by more cells collected, then by name. A unit owing fewer than ``plan.min_ranked_cells``
    cells comes after the ranked ones, without a rank: 1 of 1 is not a 100 % to be praised in a 通报.
    """
    label = dict(PEER_GROUPS).get(group or "", "")
    rows = [
        (plan.units[name], tally)
        for name, tally in by_unit.items()
        if name in plan.units and tally.required > 0 and (group is None or peer_group(plan.units[name]) == group)
    ]
    rows.sort(key=lambda r: (r[1].required < plan.min_ranked_cells, -r[1].percent, -r[1].counts[Status.COLLECTED], r[0].name))
    out: list[RankRow] = []
    previous: float | None = None  # the last ranked rate: an equal rate shares its rank (1, 2, 2, 4)
    for position, (unit, tally) in enumerate(rows, start=1):
        if tally.required < plan.min_ranked_cells:
            out.append(RankRow(unit, tally, None, label))
            continue
        rank = out[-1].rank if previous == tally.percent else position
        previous = tally.percent
        out.append(RankRow(unit, tally, rank, label))
    return out


def ranking_groups(plan: Plan, by_unit: dict[str, Tally]) -> list[dict]:
    """Each peer group's ranking, with its ranked and unranked rows apart (groups with nobody left out)."""
    groups = []
    for key, label in PEER_GROUPS:
        rows = unit_ranking(plan, by_unit, key)
        if rows:
            groups.append({"key": key, "label": label, "rows": rows,
                           "ranked": [r for r in rows if r.rank is not None],
                           "unranked": [r for r in rows if r.rank is None]})
    return groups


@dataclass(frozen=True, slots=True)
class Deadline:
    label: str
    date: dt.date
    days_left: int


def next_deadline(plan: Plan) -> Deadline | None:
    """The nearest deadline on or after today: the two due dates, per-material dates and stage ends."""
    candidates: list[tuple[dt.date, str]] = [
        (plan.deadline_completed_years, "往年材料截止"),
        (plan.deadline_current_year, f"{plan.review_year}年材料截止"),
    ]
    candidates += [(date, f"材料 {mid} 截止") for mid, date in plan.material_deadlines.items()]
    candidates += [(stage.end, f"{stage.name}阶段结束") for stage in plan.stages]
    upcoming = sorted((d, label) for d, label in candidates if d >= plan.today)
    if not upcoming:
        return None
    date, label = upcoming[0]
    return Deadline(label=label, date=date, days_left=(date - plan.today).days)


def stage_state(stage: Stage, today: dt.date) -> str:
    if today > stage.end:
        return "已结束"
    if stage.start is not None and today < stage.start:
        return "未开始"
    return "进行中"
