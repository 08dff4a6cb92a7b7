"""One pure function per rule kind: (rule, years, values) → (Verdict, reason in Chinese words and numbers).

No I/O here. ``years`` are the years the indicator needs, oldest first; ``values`` maps a year to its
checked IndicatorValue (a year absent from it has no data). The latest needed year is ``years[-1]``.

Readings of the standard's wording, chosen here and tested in tests/test_indicator_rules.py:

- threshold: the latest year meets the bound; earlier years are not needed for the verdict (their absence
  is mentioned in the reason, not judged).
- 逐年下降 / 逐年提高: every year strictly lower / higher than the year before (a flat year fails).
- 持续降低 / 持续提高: never rising / never falling from one year to the next, and lower / higher at the
  end than at the start (flat years are allowed, a flat whole series is not).
- 呈下降趋势: the least-squares slope of value on year is below zero.
- 持续改善: 持续提高 when a higher value is better (AQI 优良天数, the only indicator using it, with a ≥
  target), 持续降低 when the rule's bound is ≤ or <; the reason says which was applied.
- 不高于近5年平均水平 (five_year_mean): with the five needed years (review year −5 … −1) the latest year
  must not be above the mean of those five years, itself included. "近5年" reads as the five most recent
  years, which are the five the review collects. Note that latest ≤ mean(all five) is exactly
  latest ≤ mean(the four before it) (5x ≤ S + x ⇔ 4x ≤ S), so the verdict is the same under either reading;
  the reason shows the five-year mean. A missing year is 缺数据.
- plan: latest value ``op`` its 规划值 (default ≥).
- grade: A best; the latest grade must be the rule's grade (default C) or better.
- presence: the latest year says 有 (有, 是, 达到 are read as 有 when parsing).
"""

from __future__ import annotations

import math
from dataclasses import replace
from collections.abc import Callable, Mapping, Sequence

from handbook.model import IndicatorValue, Rule, RuleKind, Verdict

Values = Mapping[int, IndicatorValue]
Judgement = tuple[Verdict, str]

SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
GRADE_ORDER = "ABCD"


# --------------------------------------------------------------------------- formatting


def number_text(number: float) -> str:
    """12.0 → "12", 11.80 → "11.8", 158.625 → "158.63": no float noise, no exponent."""
    if float(number).is_integer():
        return str(int(number))
    return f"{round(number, 2):.2f}".rstrip("0").rstrip(".")


def value_text(value: IndicatorValue | None, unit: str = "") -> str:
    if value is None or value.value is None:
        return "—"
    if isinstance(value.value, str):
        return f"{value.value}级" if value.value in GRADE_ORDER else value.value
    return f"{number_text(value.value)}{value.unit or unit}"


def bound_text(rule: Rule) -> str:
    return f"{SYMBOLS.get(rule.op or '>=', rule.op)}{number_text(rule.value or 0)}{rule.unit}"


def years_text(years: Sequence[int]) -> str:
    return "、".join(str(y) for y in years)


def series_text(years: Sequence[int], values: Values, unit: str = "") -> str:
    """"2023→2025：12.1% → 11.8% → 11.9%"."""
    shown = " → ".join(value_text(values.get(y), unit) for y in years)
    return f"{years[0]}→{years[-1]}：{shown}"


def missing_years(years: Sequence[int], values: Values) -> list[int]:
    return [y for y in years if _number(values.get(y)) is None and _text(values.get(y)) is None]


def _no_data(missing: Sequence[int], what: str = "数据") -> Judgement:
    return Verdict.NO_DATA, f"缺 {years_text(missing)} 年{what}"


def _number(value: IndicatorValue | None) -> float | None:
    return value.value if value is not None and isinstance(value.value, float) else None


def _text(value: IndicatorValue | None) -> str | None:
    return value.value if value is not None and isinstance(value.value, str) else None


# --------------------------------------------------------------------------- comparisons


def compare(op: str, left: float, right: float) -> bool:
    """``left op right``, with equality tolerant of float noise (90.0 == 90, 158.6 == mean)."""
    equal = math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    if op == ">=":
        return equal or left > right
    if op == ">":
        return not equal and left > right
    if op == "<=":
        return equal or left < right
    if op == "<":
        return not equal and left < right
    if op == "==":
        return equal
    raise ValueError(f"unknown operator {op!r}")


def _lower(a: float, b: float) -> bool:
    return compare("<", a, b)


def _higher(a: float, b: float) -> bool:
    return compare(">", a, b)


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of y on x."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return sxy / sxx if sxx else 0.0


# --------------------------------------------------------------------------- one function per kind


def threshold(rule: Rule, years: Sequence[int], values: Values) -> Judgement:
    latest = years[-1]
    number = _number(values.get(latest))
    if number is None:
        return _no_data([latest])
    text = f"{latest}年 {value_text(values[latest], rule.unit)}"
    earlier = missing_years(years[:-1], values)
    aside = f"（另缺 {years_text(earlier)} 年数据，不影响判定）" if earlier else ""
    if compare(rule.op or ">=", number, rule.value or 0.0):
        return Verdict.PASS, f"{text}，达到 {bound_text(rule)}{aside}"
    return Verdict.FAIL, f"{text}，未达到 {bound_text(rule)}{aside}"


def _numbers(years: Sequence[int], values: Values) -> list[float] | None:
    """The value of every year as a number, or None when any year has no number."""
    numbers = [_number(values[y]) for y in years]
    return None if any(n is None for n in numbers) else [n for n in numbers if n is not None]


def trend(rule: Rule, years: Sequence[int], values: Values) -> Judgement:
    name = rule.trend or ""
    missing = missing_years(years, values)
    if missing:
        return _no_data(missing)
    if len(years) < 2:
        return Verdict.NO_DATA, f"{name}至少需要两年数据"
    numbers = _numbers(years, values)
    if numbers is None:
        return Verdict.NO_DATA, "趋势需要数值"
    series = series_text(years, values, rule.unit)
    if not rule.unit and values[years[-1]].unit:
        rule = replace(rule, unit=values[years[-1]].unit)  # trend rules name no unit; show the values'
    check = TREND_CHECKS.get(name)
    if check is None:
        return Verdict.NO_DATA, f"未知的趋势规则“{name}”"
    failure = check(rule, list(years), numbers)
    if failure:
        return Verdict.FAIL, f"{series}，{failure}"
    return Verdict.PASS, f"{series}，{_trend_label(rule, list(years), numbers)}"


def threshold_or_trend(rule: Rule, years: Sequence[int], values: Values) -> Judgement:
    """Either branch passing is enough; the reason names the branch that passed, or both failures."""
    by_bound, why_bound = threshold(rule, years, values)
    if by_bound is Verdict.PASS:
        return Verdict.PASS, f"按目标值达标：{why_bound}"
    by_trend, why_trend = trend(rule, years, values)
    label = rule.trend or "趋势"
    if by_trend is Verdict.PASS:
        return Verdict.PASS, f"按趋势达标（{label}）：{why_trend}；目标值未满足：{why_bound}"
    if Verdict.NO_DATA in (by_bound, by_trend):
        return Verdict.NO_DATA, f"目标值：{why_bound}；{label}无法判定或未满足：{why_trend}"
    return Verdict.FAIL, f"两项均未满足：{why_bound}；{why_trend}"


def five_year_mean(rule: Rule, years: Sequence[int], values: Values) -> Judgement:
    missing = missing_years(years, values)
    if missing:
        return _no_data(missing)
    numbers = _numbers(years, values)
    if numbers is None:
        return Verdict.NO_DATA, "需要数值"
    latest = years[-1]
    mean = sum(numbers) / len(numbers)
    unit = values[latest].unit or rule.unit
    text = (
        f"{series_text(years, values, rule.unit)}；{latest}年 {value_text(values[latest], rule.unit)}，"
        f"近{len(years)}年（{years[0]}–{latest}）平均 {number_text(mean)}{unit}"
    )
    if compare("<=", numbers[-1], mean):
        return Verdict.PASS, f"{text}，不高于平均水平"
    return Verdict.FAIL, f"{text}，高于平均水平"


def plan(rule: Rule, years: Sequence[int], values: Values) -> Judgement:
    latest = years[-1]
    value = values.get(latest)
    number = _number(value)
    if value is None or number is None:
        return _no_data([latest])
    if value.plan_value is None:
        return _no_data([latest], "规划值")
    op = rule.op or ">="
    text = f"{latest}年 {value_text(value)}，规划值 {number_text(value.plan_value)}{value.unit}"
    if compare(op, number, value.plan_value):
        return Verdict.PASS, f"{text}，符合规划要求（{SYMBOLS.get(op, op)}规划值）"
    return Verdict.FAIL, f"{text}，不符合规划要求（应{SYMBOLS.get(op, op)}规划值）"


def grade(rule: Rule, years: Sequence[int], values: Values) -> Judgement:
    latest = years[-1]
    found = _text(values.get(latest))
    if found is None:
        return _no_data([latest])
    bar = (rule.grade or "C").upper()
    if found not in GRADE_ORDER:
        return Verdict.NO_DATA, f"{latest}年等级“{found}”无法识别"
    if GRADE_ORDER.index(found) <= GRADE_ORDER.index(bar):
        return Verdict.PASS, f"{latest}年 {found}级，达到 {bar}级及以上"
    return Verdict.FAIL, f"{latest}年 {found}级，未达到 {bar}级"


def presence(rule: Rule, years: Sequence[int], values: Values) -> Judgement:
    latest = years[-1]
    found = _text(values.get(latest))
    if found is None:
        return _no_data([latest])
    if found == "有":
        return Verdict.PASS, f"{latest}年：有"
    return Verdict.FAIL, f"{latest}年：{found}"


JUDGES: dict[RuleKind, Callable[[Rule, Sequence[int], Values], Judgement]] = {
    RuleKind.THRESHOLD: threshold,
    RuleKind.TREND: trend,
    RuleKind.THRESHOLD_OR_TREND: threshold_or_trend,
    RuleKind.FIVE_YEAR_MEAN: five_year_mean,
    RuleKind.PLAN: plan,
    RuleKind.GRADE: grade,
    RuleKind.PRESENCE: presence,
}


def judge(rule: Rule, years: Sequence[int], values: Values) -> Judgement:
    """The verdict for one indicator; ``years`` must not be empty."""
    if not years:
        return Verdict.NO_DATA, "没有需要的年份"
    return JUDGES[rule.kind](rule, years, values)


# --------------------------------------------------------------------------- the trend checks
# Each returns "" when the series holds, else why not (in words, naming the year).


def _falls_every_year(rule: Rule, years: list[int], numbers: list[float]) -> str:
    for i in range(1, len(years)):
        if not _lower(numbers[i], numbers[i - 1]):
            return f"{years[i]}年{_flat_or(numbers[i], numbers[i - 1], '上升')}，未逐年下降"
    return ""


def _rises_every_year(rule: Rule, years: list[int], numbers: list[float]) -> str:
    for i in range(1, len(years)):
        if not _higher(numbers[i], numbers[i - 1]):
            return f"{years[i]}年{_flat_or(numbers[i], numbers[i - 1], '下降')}，未逐年提高"
    return ""


def _keeps_falling(rule: Rule, years: list[int], numbers: list[float], label: str = "持续降低") -> str:
    for i in range(1, len(years)):
        if _higher(numbers[i], numbers[i - 1]):
            return f"{years[i]}年比上年上升，未{label}"
    if not _lower(numbers[-1], numbers[0]):
        return f"{years[-1]}年不低于{years[0]}年，未{label}"
    return ""


def _keeps_rising(rule: Rule, years: list[int], numbers: list[float], label: str = "持续提高") -> str:
    for i in range(1, len(years)):
        if _lower(numbers[i], numbers[i - 1]):
            return f"{years[i]}年比上年下降，未{label}"
    if not _higher(numbers[-1], numbers[0]):
        return f"{years[-1]}年不高于{years[0]}年，未{label}"
    return ""


def _falling_trend(rule: Rule, years: list[int], numbers: list[float]) -> str:
    value = slope(list(zip(years, numbers)))
    if compare("<", value, 0.0):
        return ""
    return f"线性趋势斜率 {number_text(value)}{rule.unit}/年，未呈下降趋势"


def _improves(rule: Rule, years: list[int], numbers: list[float]) -> str:
    # 持续改善 is used for AQI 优良天数 (more is better): read as 持续提高; a ≤/< bound means lower is better.
    if _lower_is_better(rule):
        return _keeps_falling(rule, years, numbers, "持续改善（按持续降低判定）")
    return _keeps_rising(rule, years, numbers, "持续改善（按持续提高判定）")


def _lower_is_better(rule: Rule) -> bool:
    return rule.op in ("<=", "<")


def _trend_label(rule: Rule, years: list[int], numbers: list[float]) -> str:
    name = rule.trend or ""
    if name == "持续改善":
        return "持续改善（按持续降低判定）" if _lower_is_better(rule) else "持续改善（按持续提高判定）"
    if name == "呈下降趋势":
        return f"线性趋势斜率 {number_text(slope(list(zip(years, numbers))))}{rule.unit}/年，呈下降趋势"
    return name


def _flat_or(now: float, before: float, direction: str) -> str:
    return "与上年持平" if math.isclose(now, before, rel_tol=1e-9, abs_tol=1e-9) else f"比上年{direction}"


TREND_CHECKS: dict[str, Callable[[Rule, list[int], list[float]], str]] = {
    "逐年下降": _falls_every_year,
    "逐年提高": _rises_every_year,
    "持续降低": _keeps_falling,
    "持续提高": _keeps_rising,
    "呈下降趋势": _falling_trend,
    "持续改善": _improves,
}
