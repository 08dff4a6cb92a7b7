"""The four documents the office sends out, as plain data: 整改通知单, 整改督办单, 通报, 工作简报.

Each is a ``Doc`` (title, recipient, paragraphs, tables) built from the judged archive; ``writers`` turns the
same Doc into XLSX and PDF, so both always say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from handbook.judge import campaign_report as report
from handbook.judge.findings import sort_for_list
from handbook.model import Archive, Finding

KINDS = ("整改通知单", "督办单", "通报", "简报")


@dataclass(slots=True)
class Table:
    heading: str
    columns: tuple[str, ...]
    rows: list[list] = field(default_factory=list)
    widths: tuple[float, ...] = ()  # relative widths (PDF) and character widths (XLSX)
    photo_column: int | None = None  # the column whose value is a photo file (Path) or a text
    lines: list[str] = field(default_factory=list)  # paragraphs before the table


@dataclass(slots=True)
class Doc:
    kind: str
    title: str
    recipient: str
    intro: list[str]
    tables: list[Table]
    closing: list[str]
    issuer: str
    issued: dt.date
    sheet: str = ""  # the XLSX sheet name (the recipient, or the kind)


def issuer(archive: Archive) -> str:
    city = archive.project.plan.city or "本市"
    return f"{city}爱国卫生运动委员会办公室"


def _unit_name(archive: Archive, name: str | None) -> str:
    unit = archive.project.plan.units.get(name) if name else None
    return (unit.full_name or unit.name) if unit else (name or "")


def _item_label(archive: Archive, number: int | None) -> str:
    item = archive.project.standard.items.get(number) if number is not None else None
    return f"第{number}项 {item.title}" if item else ""


def _photo(photos, f: Finding) -> Path | str:
    if not f.photos_before:
        return ""
    if f.restricted or photos is None:
        return "照片不公开，另附" if f.restricted else f.photos_before[0]
    return photos.thumb_file(f.photos_before[0], f.restricted) or f.photos_before[0]


def _by_unit(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        for unit in f.units:
            grouped[unit].append(f)
    return grouped


def _ordered_units(archive: Archive, grouped: dict[str, list[Finding]]) -> list[str]:
    order = {name: i for i, name in enumerate(archive.project.plan.units)}
    return sorted(grouped, key=lambda n: (order.get(n, len(order)), n))


# --------------------------------------------------------------------------- 整改通知单, 督办单


def rectification_notices(archive: Archive, period: report.Period, photos=None, unit: str | None = None) -> list[Doc]:
    """One 整改通知单 per unit: its findings found in the period that are still open today."""
    chosen = [f for f in archive.findings if f.found in period and f.is_open]
    grouped = _by_unit(chosen)
    docs = []
    for name in _ordered_units(archive, grouped):
        if unit and name != unit:
            continue
        rows = [[i, f.id, f.found, f.source, f.place, f.problem, _item_label(archive, f.item), f.deadline,
                 _photo(photos, f)] for i, f in enumerate(sort_for_list(grouped[name]), start=1)]
        docs.append(Doc(
            kind="整改通知单", title="整改通知单", recipient=_unit_name(archive, name), sheet=name,
            intro=[f"{period.label}督查、暗访等检查中发现你单位（属地或行业）以下 {len(rows)} 个问题，至今未整改。"
                   "请对照问题逐项整改，在整改期限内完成，并将整改后照片报市爱卫办复查销号。"],
            tables=[Table("问题清单", ("序号", "编号", "发现日期", "来源", "地点", "问题描述", "违反条目", "整改期限", "整改前照片"),
                          rows, (5, 13, 11, 8, 22, 34, 18, 11, 22), photo_column=8)],
            closing=["逾期未整改的，将下发整改督办单，并在通报中点名。"],
            issuer=issuer(archive), issued=archive.project.plan.today))
    return docs


def escalation_notices(archive: Archive, day: dt.date, photos=None, unit: str | None = None) -> list[Doc]:
    """One 整改督办单 per unit: its findings still open after their deadline on ``day``."""
    late = [f for f in archive.findings if f.is_open and f.deadline and f.deadline < day and (f.found is None or f.found <= day)]
    grouped = _by_unit(late)
    docs = []
    for name in _ordered_units(archive, grouped):
        if unit and name != unit:
            continue
        rows = [[i, f.id, f.found, f.place, f.problem, f.deadline, (day - f.deadline).days if f.deadline else "",
                 "反弹" if f.rebound_of else "", _photo(photos, f)]
                for i, f in enumerate(sort_for_list(grouped[name]), start=1)]
        docs.append(Doc(
            kind="督办单", title="整改督办单", recipient=_unit_name(archive, name), sheet=name,
            intro=[f"截至 {day.isoformat()}，你单位有 {len(rows)} 个问题已过整改期限仍未整改。"
                   "现挂牌督办，请主要负责同志亲自部署，3 日内整改到位，并书面报告整改情况。"],
            tables=[Table("逾期问题", ("序号", "编号", "发现日期", "地点", "问题描述", "整改期限", "逾期天数", "备注", "整改前照片"),
                          rows, (5, 13, 11, 22, 34, 11, 8, 6, 22), photo_column=8)],
            closing=["督办期满仍未整改的，按本市考核办法通报问责。"],
            issuer=issuer(archive), issued=day))
    return docs


# --------------------------------------------------------------------------- 通报


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def bulletin(archive: Archive, period: report.Period) -> Doc:
    collected = report.Collected(archive)
    figures = report.findings_in(archive.findings, period)
    groups = report.peer_groups(archive, period, collected)
    holder = report.red_flag(archive, groups)
    overall = collected.percent(("all",), period.end)
    intro = [
        f"{period.label}，全市复审材料完成率 {_pct(overall)}；督查、暗访等发现问题 {len(figures['opened'])} 个，"
        f"整改 {len(figures['closed'])} 个；整改期限在本期的问题 {len(figures['due'])} 个，按期整改 {len(figures['on_time'])} 个"
        f"（按期整改率 {_pct(figures['on_time_percent'])}）；期末仍未整改 {len(figures['open_at_end'])} 个，其中逾期 {len(figures['late_at_end'])} 个。",
        f"综合得分 = 材料完成率 × {archive.campaign.weight_materials:g} + 问题按期整改率 × {archive.campaign.weight_findings:g}"
        "（按权重折算为百分制；本期没有到期问题的单位只按材料完成率计）。街道与街道比，部门与同类部门比。",
    ]
    if holder is not None:
        intro.append(f"本期{archive.campaign.red_flag}授予：{_unit_name(archive, holder.unit)}（综合得分 {holder.score:.1f}）。")
    tables = []
    for group in groups:
        lines = []
        if group.top:
            lines.append("表扬：" + "、".join(f"{s.unit}（{s.score:.1f}）" for s in group.top))
        if group.bottom:
            lines.append("通报批评：" + "、".join(f"{s.unit}（{s.score:.1f}）" for s in group.bottom))
        rows = [[s.rank, s.unit, _pct(s.materials), s.due, s.on_time, _pct(s.on_time_percent), s.score] for s in group.scores]
        tables.append(Table(f"{group.kind}排名（{len(group.scores)} 个）", ("名次", "单位", "材料完成率", "到期问题", "按期整改",
                            "按期整改率", "综合得分"), rows, (6, 26, 12, 10, 10, 12, 10), lines=lines))
    return Doc(kind="通报", title=f"关于{period.label}国家卫生城市复审工作情况的通报", recipient="各街道，市直各单位",
               intro=intro, tables=tables, closing=["请排名靠后的单位认真查找原因，限期整改，下期通报整改情况。"],
               issuer=issuer(archive), issued=archive.project.plan.today, sheet="通报")


# --------------------------------------------------------------------------- 工作简报


def briefing(archive: Archive, period: report.Period, indicator_changes: list[list] | None = None) -> Doc:
    b = report.briefing(archive, period)
    change, figures = b.change, b.findings
    intro = [f"本期（{period.start.isoformat()} 至 {period.end.isoformat()}）收到材料文件 {len(b.received)} 份；"
             f"全市材料完成率 {_pct(change['all']['before'])} → {_pct(change['all']['after'])}；"
             f"新发现问题 {len(figures['opened'])} 个，整改 {len(figures['closed'])} 个，期末未整改 {len(figures['open_at_end'])} 个。"]
    categories = [[f"{c.numeral}、{c.title}", _pct(change["categories"][c.number]["before"]),
                   _pct(change["categories"][c.number]["after"]), _delta(change["categories"][c.number])]
                  for c in archive.project.standard.categories]
    units = [[u.unit, u.received, _pct(u.before), _pct(u.after), _delta({"before": u.before, "after": u.after})]
             for u in b.units]
    opened = [[f.id, f.found, f.source, f.area_unit or f.area_raw, f.place, f.problem, f.state.value] for f in b.opened]
    closed = [[f.id, f.fixed, f.area_unit or f.area_raw, f.place, "按期" if f.on_time else "逾期后", f.confirmer or "待确认"]
              for f in b.closed]
    tables = [
        Table("各类别完成率变化", ("类别", "期初", "期末", "变化"), categories, (30, 12, 12, 12)),
        Table("各单位收到文件与完成率变化", ("单位", "收到文件", "期初", "期末", "变化"), units, (26, 10, 12, 12, 12),
              lines=[] if units else ["本期各单位完成率没有变化。"]),
        Table("本期新发现的问题", ("编号", "日期", "来源", "属地单位", "地点", "问题", "状态"), opened, (13, 11, 8, 11, 22, 34, 11)),
        Table("本期整改的问题", ("编号", "整改日期", "属地单位", "地点", "是否按期", "销号人"), closed, (13, 11, 11, 24, 10, 14)),
    ]
    if indicator_changes is not None:
        tables.append(Table("结论有变化的指标", ("指标", "名称", "期初结论", "期末结论"), indicator_changes, (8, 40, 12, 12),
                            lines=[] if indicator_changes else ["本期没有指标的结论发生变化。"]))
    return Doc(kind="简报", title=f"国家卫生城市复审工作简报（{period.label}）", recipient="市复审工作领导小组各成员单位",
               intro=intro, tables=tables, closing=[], issuer=issuer(archive), issued=archive.project.plan.today, sheet="简报")


def _delta(change: dict) -> str:
    points = report.delta(change["before"], change["after"])
    return "—" if points is None else f"{points:+.1f}"
