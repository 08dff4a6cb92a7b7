"""standards/national/indicators.yml: the 56 indicators, their rules, and the check that each rule says
what the indicator's target text says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handbook.problems import did_you_mean, listing
from handbook.model import OPERATORS, TRENDS, CountyVariant, Problem, Indicator, Item, Rule, RuleKind
from handbook.load.fields import Fields, Source, open_data_file
from handbook.load.entries import MAX_INDICATOR, MAX_ITEM, Broken, Lines, nearest_hint, numbered, rel, where_line

GRADES = ("A", "B", "C", "D")

_OP_TYPOS = {"≥": ">=", "=>": ">=", "≤": "<=", "=<": "<=", "＞": ">", "＜": "<", "=": "==", "＝": "=="}
# Which rule fields each kind needs, and which it may carry.
_RULE_NEEDS: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.THRESHOLD: ("op", "value"),
    RuleKind.TREND: ("trend",),
    RuleKind.THRESHOLD_OR_TREND: ("op", "value", "trend"),
    RuleKind.FIVE_YEAR_MEAN: (),
    RuleKind.PLAN: ("op",),
    RuleKind.GRADE: ("grade",),
    RuleKind.PRESENCE: (),
}
_RULE_MAY: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.THRESHOLD: ("unit",),
    RuleKind.THRESHOLD_OR_TREND: ("unit",),
    RuleKind.PLAN: ("unit",),
    RuleKind.FIVE_YEAR_MEAN: ("unit",),
    RuleKind.TREND: ("unit",),
}
RULE_FIELDS = ("kind", "op", "value", "unit", "trend", "grade")


_INDICATOR_FIELDS = ("number", "name", "target", "note", "rule", "years", "items", "county")


def load_indicators(root: Path, diagnostics: list[Problem], lines: Lines, broken: Broken) -> dict[int, Indicator]:
    src, top = open_data_file(root, rel("indicators.yml"), diagnostics, ("indicators",))
    build = lambda value, line, index: _indicator(src, value, line, index, lines)  # noqa: E731
    return numbered(src, top, "indicators", MAX_INDICATOR, build, broken.indicators, "指标", "duplicate-indicator")


def _indicator(src: Source, value: Any, line: int, index: int, lines: Lines) -> Indicator | None:
    f = Fields.of(src, value, line, f"第 {index} 个指标", _INDICATOR_FIELDS, ("number", "name", "target", "rule"))
    if f is None:
        return None
    number = f.integer("number", lo=1, hi=MAX_INDICATOR)
    label = f"指标 {number if number is not None else index}"
    name = f.required_text("name", "指标名称（照种子 002）")
    target = f.required_text("target", "目标值原文（照种子 002），如 ≥90%")
    rule = parse_rule(src, f.raw("rule"), f.line("rule"), f"{label}的 rule") if f.has("rule") else None
    if target is not None and rule is not None:
        check_target(src, target, rule, f"{label}的 rule", target_line=f.line("target"))
    years = f.integer("years", lo=1, hi=10, default=3)
    linked = f.int_list("items", lo=1, hi=MAX_ITEM)
    county = _county(src, f, label, target, rule) if f.has("county") else CountyVariant()
    if number is None or name is None or target is None or rule is None or years is None:
        return None
    for item, item_line in linked:
        lines.setdefault(("indicator-item", number, item), item_line)
    return Indicator(number, name, target, f.text("note") or "", rule, years, tuple(n for n, _ in linked), county, src.where(line))


def _county(src: Source, indicator: Fields, label: str, target: str | None, rule: Rule | None) -> CountyVariant:
    f = Fields.of(src, indicator.raw("county"), indicator.line("county"), f"{label}的 county", ("applies", "name", "target", "rule"))
    if f is None:
        return CountyVariant()
    own_rule = parse_rule(src, f.raw("rule"), f.line("rule"), f"{label}的 county.rule") if f.has("rule") else None
    own_target = f.required_text("target", "县的目标值原文") if f.has("target") else None
    name = f.required_text("name", "县的指标名称") if f.has("name") else None
    # A 县 takes the city's target or rule where it gives none of its own: the pair must still agree.
    if own_rule is not None and (own_target or target):
        target_line = f.line("target") if own_target else indicator.line("target")
        check_target(src, own_target or target or "", own_rule, f"{label}的 county.rule", target_line=target_line)
    elif own_target and rule is not None:
        line = f.line("target")
        check_target(src, own_target, rule, f"{label}的 rule（县沿用）", target_line=line, rule_line=line)
    return CountyVariant(f.flag("applies", True), name, own_target, own_rule)


def parse_rule(src: Source, value: Any, line: int, label: str) -> Rule | None:
    """Parse a ``rule:`` mapping; report an unknown kind, op or trend with the nearest valid one.

    Every field is checked even when the kind is unknown, so that one run shows every problem.
    """
    f = Fields.of(src, value, line, label, RULE_FIELDS, ("kind",))
    if f is None:
        return None
    kind = _rule_kind(src, f) if f.has("kind") else None
    op = _rule_op(src, f, label) if f.has("op") else None
    trend = _rule_trend(src, f, label) if f.has("trend") else None
    grade = _rule_grade(src, f, label) if f.has("grade") else None
    number = f.number("value")
    unit = f.text("unit") or ""
    if kind is None:
        return None
    missing = [name for name in _RULE_NEEDS[kind] if not f.has(name)]
    for name in missing:
        src.error(f.data.line, f"{label}（kind: {kind.value}）缺少“{name}”", _needs_hint(kind), "rule-missing-field")
    _warn_extra_rule_fields(src, f, kind, label)
    needed = {"op": op, "value": number, "trend": trend, "grade": grade}
    if missing or any(needed[name] is None for name in _RULE_NEEDS[kind]):
        return None
    return Rule(kind, op, None if number is None else float(number), unit, trend, grade, src.where(f.data.line))


def _needs_hint(kind: RuleKind) -> str:
    needs = _RULE_NEEDS[kind]
    example = {"op": 'op: ">="', "value": "value: 90", "trend": "trend: 逐年下降", "grade": "grade: C"}
    return "补上 " + "，".join(example[n] for n in needs) if needs else ""


def _rule_kind(src: Source, f: Fields) -> RuleKind | None:
    text = f.raw("kind")
    try:
        return RuleKind(text)
    except ValueError:
        valid = [k.value for k in RuleKind]
        src.error(f.line("kind"), f"{f.label}的 kind“{text}”无法识别", did_you_mean(text, valid, fallback=f"可用：{listing(valid)}"), "rule-unknown-kind")
        return None


def _warn_extra_rule_fields(src: Source, f: Fields, kind: RuleKind, label: str) -> None:
    allowed = {"kind", *_RULE_NEEDS[kind], *_RULE_MAY.get(kind, ())}
    for name in f.data:
        if name in RULE_FIELDS and name not in allowed:
            src.warning(f.line_of_key(name), f"{label}（kind: {kind.value}）用不到“{name}”，它会被忽略", "删去它，或改用合适的 kind", "rule-extra-field")


def _rule_op(src: Source, f: Fields, label: str) -> str | None:
    op = f.raw("op")
    if op in OPERATORS:
        return op
    text = str(op).strip()
    nearest = _OP_TYPOS.get(text)
    fix = f'是否应为“{nearest}”？' if nearest else f"只能是 {' '.join(OPERATORS)}（写成半角，并加引号）"
    src.error(f.line("op"), f"{label}的比较符“{text}”无法识别", fix, "rule-unknown-op")
    return None


def _rule_trend(src: Source, f: Fields, label: str) -> str | None:
    trend = f.raw("trend")
    if trend in TRENDS:
        return trend
    src.error(f.line("trend"), f"{label}的趋势“{trend}”无法识别", did_you_mean(trend, TRENDS, fallback=f"可用：{listing(TRENDS)}"), "rule-unknown-trend")
    return None


def _rule_grade(src: Source, f: Fields, label: str) -> str | None:
    grade = str(f.raw("grade")).strip().upper()
    if grade in GRADES:
        return grade
    src.error(f.line("grade"), f"{label}的等级“{f.raw('grade')}”无法识别", "只能是 A、B、C 或 D", "rule-unknown-grade")
    return None


# --------------------------------------------------------------------------- target text ↔ rule

# The small grammar of seed 002's target texts, as data. A target reads as one of: a phrase naming
# the kind (近5年平均, 规划, C级, 有/无/达到/出台…), or [operator] number [unit] [或 trend], or a trend.
_TARGET_KINDS = (
    (re.compile(r"近\s*5\s*年平均"), RuleKind.FIVE_YEAR_MEAN),
    (re.compile(r"规划"), RuleKind.PLAN),
    (re.compile(r"(?<![A-Za-z])([A-D])\s*级"), RuleKind.GRADE),
    (re.compile(r"^(?:有|无|达到|出台)"), RuleKind.PRESENCE),
)
_TARGET_OPS = {"≥": ">=", ">=": ">=", "不低于": ">=", ">": ">", "＞": ">", "≤": "<=", "<=": "<=", "不高于": "<=", "<": "<", "＜": "<"}
_BARE_OPS = (">=", "==")  # "100%" means reaching it; rules write it >= 100
_TARGET_TRENDS = {**{t: t for t in TRENDS}, "持续提升": "持续提高", "逐年降低": "逐年下降", "持续下降": "持续降低"}
_TARGET_UNITS = {"％": "%", "‰": "‰"}
_THRESHOLD = re.compile(
    "^(?P<op>" + "|".join(sorted(map(re.escape, _TARGET_OPS), key=len, reverse=True)) + r")?\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>/\d+万|[^\d或]*?)\s*(?:或\s*(?P<trend>\S+))?$"
)


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a target text says the rule is; None fields are not said by the text."""

    kind: RuleKind
    ops: tuple[str, ...] = ()
    value: float | None = None
    unit: str | None = None
    trend: str | None = None
    grade: str | None = None


def read_target(text: str) -> _Reading | None:
    """The rule a target text means, or None when the text is outside the grammar."""
    text = text.strip()
    for pattern, kind in _TARGET_KINDS:
        match = pattern.search(text)
        if match:
            return _Reading(kind, grade=match.group(1) if kind is RuleKind.GRADE else None)
    if text in _TARGET_TRENDS:
        return _Reading(RuleKind.TREND, trend=_TARGET_TRENDS[text])
    match = _THRESHOLD.match(text)
    if match is None or (match.group("trend") and match.group("trend") not in _TARGET_TRENDS):
        return None
    op, trend = match.group("op"), match.group("trend")
    return _Reading(
        RuleKind.THRESHOLD_OR_TREND if trend else RuleKind.THRESHOLD,
        ops=(_TARGET_OPS[op],) if op else _BARE_OPS,
        value=float(match.group("value")),
        unit=_unit(match.group("unit")),
        trend=_TARGET_TRENDS[trend] if trend else None,
    )


def _unit(text: str) -> str:
    return _TARGET_UNITS.get(text.strip(), text.strip())


def _disagreements(reading: _Reading, rule: Rule) -> list[str]:
    if reading.kind is not rule.kind:
        return [f"kind 应为 {reading.kind.value}，rule 写的是 {rule.kind.value}"]
    found = []
    if reading.ops and rule.op not in reading.ops:
        found.append(f"比较符应为“{reading.ops[0]}”，rule 写的是“{rule.op}”")
    if reading.value is not None and rule.value is not None and abs(reading.value - rule.value) > 1e-9:
        found.append(f"数值应为 {reading.value:g}，rule 写的是 {rule.value:g}")
    if reading.unit is not None and reading.unit != _unit(rule.unit):
        found.append(f"单位应为“{reading.unit or '（无）'}”，rule 写的是“{rule.unit or '（无）'}”")
    if reading.trend is not None and reading.trend != rule.trend:
        found.append(f"趋势应为“{reading.trend}”，rule 写的是“{rule.trend}”")
    if reading.grade is not None and reading.grade != rule.grade:
        found.append(f"等级应为 {reading.grade}，rule 写的是 {rule.grade}")
    return found


def check_target(src: Source, target: str, rule: Rule, label: str, *, target_line: int, rule_line: int | None = None) -> None:
    """The structured rule must say what the target text says (a rule <= 10 天 on "≥90%" is an error).

    A disagreement is reported at the rule's line (or ``rule_line``); a target outside the grammar is
    a warning at its own line: the pair is then unchecked, not wrong.
    """
    reading = read_target(target)
    if reading is None:
        src.warning(target_line, f"{label}：目标“{target}”的写法无法自动核对", "写成 ≥90%、≤5.6‰或持续降低、逐年下降、不高于近5年平均水平、符合…规划要求、C级、有 之类；确认 rule 与目标一致后可忽略此提示", "target-unchecked")
        return
    found = _disagreements(reading, rule)
    if found:
        src.error(rule_line if rule_line is not None else where_line(rule.where), f"{label}与目标“{target}”不符：{'；'.join(found)}", "改正 rule（或改正 target），使两者说的是同一个要求", "rule-target-mismatch")


def check_indicator_links(root_diags: list[Problem], items: dict[int, Item], indicators: dict[int, Indicator], lines: Lines, broken: Broken) -> None:
    """items.yml ``indicators`` and indicators.yml ``items`` must name things that exist, and agree."""
    items_src = Source(rel("items.yml"), root_diags)
    ind_src = Source(rel("indicators.yml"), root_diags)
    for item in items.values():
        for number in item.indicators:
            line = lines.get(("item-indicator", item.number, number), where_line(item.where))
            if indicators and number not in indicators and number not in broken.indicators:
                items_src.error(line, f"事项 {item.number} 关联的指标 {number} 在 indicators.yml 中不存在", nearest_hint(number, indicators) + "检查指标编号（1–56）", "unknown-indicator")
            elif number in indicators and item.number not in indicators[number].items:
                items_src.warning(line, f"事项 {item.number} 关联了指标 {number}，但指标 {number} 的 items 没有列出事项 {item.number}", f"在指标 {number} 的 items 中加上 {item.number}，或从事项中删去", "indicator-link")
    for indicator in indicators.values():
        for number in indicator.items:
            line = lines.get(("indicator-item", indicator.number, number), where_line(indicator.where))
            if items and number not in items and number not in broken.items:
                ind_src.error(line, f"指标 {indicator.number} 所属的事项 {number} 在 items.yml 中不存在", nearest_hint(number, items) + "检查事项编号（1–45）", "unknown-item")
