"""The indicator rules (pure functions), value parsing, and which indicator set applies (城市 / 县).

Table-driven: each row is one case a person could check by hand against the standard's wording.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from handbook.judge.indicators import evaluate_indicators, verdict_label
from handbook.load.effective import effective_indicator, needed_years
from handbook.judge.rules import judge, slope
from handbook.scan.indicator_table import parse_value
from handbook.model import (
    CountyVariant,
    Indicator,
    IndicatorValue,
    Kind,
    Plan,
    Project,
    Rule,
    RuleKind,
    Standard,
    Verdict,
)

ROOT = Path(__file__).resolve().parent.parent
Y3 = (2023, 2024, 2025)
Y5 = (2021, 2022, 2023, 2024, 2025)
PASS, FAIL, NO_DATA = Verdict.PASS, Verdict.FAIL, Verdict.NO_DATA


def series(values: dict[int, object], unit: str = "", plans: dict[int, float] | None = None) -> dict[int, IndicatorValue]:
    """Year → IndicatorValue; numbers become floats as the parser makes them."""
    plans = plans or {}
    return {
        year: IndicatorValue(
            indicator=0, year=year, value=float(v) if isinstance(v, (int, float)) else v,
            unit=unit, raw=str(v), plan_value=plans.get(year),
        )
        for year, v in values.items()
    }


def by_year(*numbers, years=Y3) -> dict[int, object]:
    return {y: n for y, n in zip(years, numbers) if n is not None}


GE90 = Rule(RuleKind.THRESHOLD, op=">=", value=90, unit="%")
GT38 = Rule(RuleKind.THRESHOLD, op=">", value=38.5, unit="%")
LE55 = Rule(RuleKind.THRESHOLD, op="<=", value=55, unit="分贝")
LT20 = Rule(RuleKind.THRESHOLD, op="<", value=20, unit="%")


def trend_rule(name: str, op: str | None = None) -> Rule:
    return Rule(RuleKind.TREND, op=op, trend=name)


OR_RISE = Rule(RuleKind.THRESHOLD_OR_TREND, op=">=", value=75, unit="%", trend="持续提高")
OR_FALL = Rule(RuleKind.THRESHOLD_OR_TREND, op="<=", value=5.6, unit="‰", trend="持续降低")
MEAN5 = Rule(RuleKind.FIVE_YEAR_MEAN)
PLAN_GE = Rule(RuleKind.PLAN, op=">=")
PLAN_DEFAULT = Rule(RuleKind.PLAN)
GRADE_C = Rule(RuleKind.GRADE, grade="C")
PRESENCE = Rule(RuleKind.PRESENCE)

# (id, rule, years, values by year, unit, expected verdict, words the reason must contain)
CASES = [
    # threshold on the latest year; equal to the target is the boundary
    ("ge-equal", GE90, Y3, by_year(80, 85, 90), "%", PASS, ["2025年 90%", "达到 ≥90%"]),
    ("ge-below", GE90, Y3, by_year(95, 95, 89.9), "%", FAIL, ["2025年 89.9%", "未达到 ≥90%"]),
    ("gt-equal", GT38, Y3, by_year(40, 40, 38.5), "%", FAIL, ["未达到 >38.5%"]),
    ("gt-above", GT38, Y3, by_year(40, 40, 38.6), "%", PASS, ["达到 >38.5%"]),
    ("le-equal", LE55, Y3, by_year(50, 50, 55), "分贝", PASS, ["达到 ≤55分贝"]),
    ("lt-equal", LT20, Y3, by_year(22, 21, 20), "%", FAIL, ["2025年 20%", "未达到 <20%"]),
    ("lt-below", LT20, Y3, by_year(22, 21, 19.9), "%", PASS, ["达到 <20%"]),
    ("float-noise", GE90, Y3, by_year(None, None, (0.7 + 0.2) * 100), "%", PASS, ["达到"]),  # 89.99999999999999
    ("latest-missing", GE90, Y3, by_year(95, 95, None), "%", NO_DATA, ["缺 2025 年数据"]),
    ("earlier-missing", GE90, Y3, by_year(None, 95, 96), "%", PASS, ["另缺 2023 年数据"]),
    # 逐年下降 / 逐年提高: strictly, every year
    ("fall-pass", trend_rule("逐年下降"), Y3, by_year(12.1, 11.8, 11.5), "%", PASS,
     ["2023→2025：12.1% → 11.8% → 11.5%", "逐年下降"]),
    ("fall-rise", trend_rule("逐年下降"), Y3, by_year(12.1, 11.8, 11.9), "%", FAIL,
     ["2023→2025：12.1% → 11.8% → 11.9%", "2025年比上年上升", "未逐年下降"]),
    ("fall-flat", trend_rule("逐年下降"), Y3, by_year(12.1, 12.1, 11.5), "%", FAIL, ["2024年与上年持平"]),
    ("fall-two-years", trend_rule("逐年下降"), (2024, 2025), {2024: 12, 2025: 11}, "%", PASS, ["2024→2025"]),
    ("fall-two-of-three", trend_rule("逐年下降"), Y3, by_year(12, None, 11), "%", NO_DATA, ["缺 2024 年数据"]),
    ("fall-one-year", trend_rule("逐年下降"), (2025,), {2025: 11}, "%", NO_DATA, ["至少需要两年"]),
    ("rise-pass", trend_rule("逐年提高"), Y3, by_year(78.1, 78.2, 78.3), "岁", PASS, ["逐年提高"]),
    ("rise-flat", trend_rule("逐年提高"), Y3, by_year(78.1, 78.2, 78.2), "岁", FAIL, ["2025年与上年持平", "未逐年提高"]),
    # 持续降低 / 持续提高: never the wrong way, and better at the end than at the start
    ("keep-fall-flat-ok", trend_rule("持续降低"), Y3, by_year(10, 10, 9), "%", PASS, ["持续降低"]),
    ("keep-fall-all-flat", trend_rule("持续降低"), Y3, by_year(10, 10, 10), "%", FAIL, ["2025年不低于2023年"]),
    ("keep-fall-rise", trend_rule("持续降低"), Y3, by_year(10, 11, 9), "%", FAIL, ["2024年比上年上升"]),
    ("keep-rise-pass", trend_rule("持续提高"), Y3, by_year(1, 1, 2), "%", PASS, ["持续提高"]),
    ("keep-rise-dip", trend_rule("持续提高"), Y3, by_year(2, 1, 3), "%", FAIL, ["2024年比上年下降"]),
    # 呈下降趋势: least-squares slope below zero, even when not falling every year
    ("slope-down-bumpy", trend_rule("呈下降趋势"), Y3, by_year(10, 11, 9.5), "%", PASS, ["斜率 -0.25%/年", "呈下降趋势"]),
    ("slope-up", trend_rule("呈下降趋势"), Y3, by_year(10, 9, 10.5), "%", FAIL, ["斜率 0.25%/年", "未呈下降趋势"]),
    ("slope-flat", trend_rule("呈下降趋势"), Y3, by_year(10, 10, 10), "%", FAIL, ["未呈下降趋势"]),
    # 持续改善: more AQI days is better (≥ bound) → 持续提高; a ≤ bound flips it
    ("improve-days", trend_rule("持续改善", ">="), Y3, by_year(250, 260, 270), "天", PASS, ["按持续提高判定"]),
    ("improve-days-dip", trend_rule("持续改善", ">="), Y3, by_year(256, 249, 271), "天", FAIL,
     ["2024年比上年下降", "未持续改善（按持续提高判定）"]),
    ("improve-lower", trend_rule("持续改善", "<="), Y3, by_year(5, 4, 3), "%", PASS, ["按持续降低判定"]),
    # threshold OR trend: say which branch passed, or why both failed
    ("or-by-bound", OR_RISE, Y3, by_year(80, 79, 78), "%", PASS, ["按目标值达标", "2025年 78%"]),
    ("or-by-trend", OR_RISE, Y3, by_year(68.2, 70.5, 73.1), "%", PASS,
     ["按趋势达标（持续提高）", "68.2% → 70.5% → 73.1%", "未达到 ≥75%"]),
    ("or-both-fail", OR_RISE, Y3, by_year(70, 68, 72), "%", FAIL,
     ["两项均未满足", "未达到 ≥75%", "2024年比上年下降"]),
    ("or-bound-missing-middle", OR_RISE, Y3, by_year(80, None, 78), "%", PASS, ["按目标值达标"]),
    ("or-trend-missing-middle", OR_RISE, Y3, by_year(60, None, 70), "%", NO_DATA, ["缺 2024 年数据"]),
    ("or-fall-by-trend", OR_FALL, Y3, by_year(6.5, 6.1, 5.9), "‰", PASS, ["按趋势达标（持续降低）"]),
    ("or-fall-equal-bound", OR_FALL, Y3, by_year(5, 6, 5.6), "‰", PASS, ["按目标值达标", "达到 ≤5.6‰"]),
    # 不高于近5年平均水平: latest ≤ mean of the five needed years (equal passes)
    ("mean-equal", MEAN5, Y5, by_year(10, 20, 30, 40, 25, years=Y5), "/10万", PASS,
     ["平均 25/10万", "不高于平均水平", "2021–2025"]),
    ("mean-above", MEAN5, Y5, by_year(10, 20, 30, 40, 26, years=Y5), "/10万", FAIL, ["平均 25.2/10万", "高于平均水平"]),
    # the float mean of these is 0.6499999999999999, below the latest 0.65 only by noise
    ("mean-float-boundary", MEAN5, Y5, by_year(0.1, 0.1, 0.1, 2.3, 0.65, years=Y5), "/10万", PASS, ["不高于"]),
    ("mean-missing", MEAN5, Y5, by_year(10, None, 30, 40, 25, years=Y5), "/10万", NO_DATA, ["缺 2022 年数据"]),
    # plan pairs
    ("plan-equal", PLAN_GE, Y3, by_year(6, 6.2, 6.5), "", PASS, ["规划值 6.5", "符合规划要求"]),
    ("plan-below", PLAN_DEFAULT, Y3, by_year(6, 6.2, 6.4), "", FAIL, ["不符合规划要求"]),
    # grades: A best, C the bar
    ("grade-b", GRADE_C, Y3, by_year("C", "C", "B"), "", PASS, ["2025年 B级", "达到 C级及以上"]),
    ("grade-c", GRADE_C, Y3, by_year("D", "C", "C"), "", PASS, ["C级"]),
    ("grade-d", GRADE_C, Y3, by_year("C", "C", "D"), "", FAIL, ["2025年 D级", "未达到 C级"]),
    ("grade-missing", GRADE_C, Y3, by_year("C", "C", None), "", NO_DATA, ["缺 2025 年数据"]),
    # presence
    ("present", PRESENCE, Y3, by_year("无", "有", "有"), "", PASS, ["2025年：有"]),
    ("absent", PRESENCE, Y3, by_year("有", "有", "无"), "", FAIL, ["2025年：无"]),
    ("presence-missing", PRESENCE, Y3, {}, "", NO_DATA, ["缺 2025 年数据"]),
]

PLANS = {"plan-equal": {2025: 6.5}, "plan-below": {2025: 6.5}}


@pytest.mark.parametrize(("rule", "years", "values", "unit", "verdict", "words"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(request, rule, years, values, unit, verdict, words):
    case = request.node.callspec.id
    got, reason = judge(rule, years, series(values, unit, PLANS.get(case)))
    assert got is verdict, reason
    for word in words:
        assert word in reason, f"{word!r} not in {reason!r}"


def test_plan_value_missing_is_no_data():
    got, reason = judge(PLAN_GE, Y3, series(by_year(6, 6.2, 6.5)))
    assert got is NO_DATA and reason == "缺 2025 年规划值"


def test_plan_op_from_rule():
    got, _ = judge(Rule(RuleKind.PLAN, op="<="), Y3, series(by_year(1, 1, 2.0), plans={2025: 1.5}))
    assert got is FAIL


def test_five_year_mean_readings_agree():
    """latest ≤ mean(all five) exactly when latest ≤ mean(the four before): the documented equivalence."""
    for numbers in ([10, 20, 30, 40, 25], [10, 20, 30, 40, 26], [5, 5, 5, 5, 5], [1, 9, 3, 7, 4.9], [1, 9, 3, 7, 5.1]):
        latest, before = numbers[-1], numbers[:-1]
        five = judge(MEAN5, Y5, series(dict(zip(Y5, numbers))))[0] is PASS
        assert five == (latest <= sum(before) / 4 + 1e-12)


def test_slope_least_squares():
    assert slope([(2023, 10), (2024, 11), (2025, 9.5)]) == pytest.approx(-0.25)
    assert slope([(1, 1), (2, 2), (3, 3), (4, 4)]) == pytest.approx(1.0)


def test_needed_years():
    assert needed_years(make_indicator(2, GE90), 2026) == Y3
    assert needed_years(make_indicator(38, MEAN5, years=5), 2026) == Y5


# --------------------------------------------------------------------------- value parsing

PARSE = [
    ("92.5%", 92.5, "%"),
    ("９２．５", 92.5, ""),
    ("９２．５％", 92.5, "%"),
    ("≥1", 1.0, ""),
    ("1,234.5", 1234.5, ""),
    ("5.6‰", 5.6, "‰"),
    ("18/10万", 18.0, "/10万"),
    ("18/十万", 18.0, "/10万"),
    ("271天", 271.0, "天"),
    (" 2.6 平方米 ", 2.6, "平方米"),
    ("C级", "C", "级"),
    ("b", "B", "级"),
    ("有", "有", ""),
    ("达到", "有", ""),
    ("是", "有", ""),
    ("无", "无", ""),
    ("未达到", "无", ""),
]


@pytest.mark.parametrize(("raw", "value", "unit"), PARSE)
def test_parse_value(raw, value, unit):
    parsed = parse_value(raw)
    assert parsed.ok, parsed.error
    assert parsed.value == value and parsed.unit == unit


@pytest.mark.parametrize("raw", ["abc", "1,23", "12斤", "九十", "E级"])
def test_parse_value_errors(raw):
    parsed = parse_value(raw)
    assert not parsed.ok and parsed.value is None
    assert raw in parsed.error and parsed.fix


def test_parse_blank_is_not_an_error():
    assert parse_value("  ").value is None and parse_value("  ").ok


def test_parse_comparator_is_noted():
    assert "≥" in parse_value("≥1").note and not parse_value("1").note


# --------------------------------------------------------------------------- 城市 / 县


def make_indicator(number: int, rule: Rule, *, years: int = 3, county: CountyVariant | None = None,
                   name: str = "", target: str = "") -> Indicator:
    return Indicator(number=number, name=name or f"指标{number}", target=target or f"目标{number}", note="",
                     rule=rule, years=years, items=(), county=county or CountyVariant())


def mini_standard() -> Standard:
    """14 (city only), 22 (county: another name and a 95% threshold), 23 (county: 300 days)."""
    indicators = {
        14: make_indicator(14, Rule(RuleKind.THRESHOLD, op=">=", value=80, unit="%"),
                           county=CountyVariant(applies=False), name="道路机械化清扫率"),
        22: make_indicator(22, OR_RISE, name="城市生活污水集中收集率", target="≥75%或持续提高", county=CountyVariant(
            name="城市生活污水处理率", target="≥95%", rule=Rule(RuleKind.THRESHOLD, op=">=", value=95, unit="%"))),
        23: make_indicator(23, Rule(RuleKind.THRESHOLD_OR_TREND, op=">=", value=320, unit="天", trend="持续改善"),
                           target="≥320天或持续改善", county=CountyVariant(
            target="≥300天或持续改善",
            rule=Rule(RuleKind.THRESHOLD_OR_TREND, op=">=", value=300, unit="天", trend="持续改善"))),
    }
    return Standard(categories=[], items={}, indicators=indicators, slots={})


def make_plan(kind: Kind, **extra) -> Plan:
    return Plan(city="登封市" if kind is Kind.CITY else "某县", kind=kind, review_year=2026,
                window=(2023, 2024, 2025, 2026), today=dt.date(2026, 11, 23), units={}, groups={},
                assignments={}, stages=[], deadline_completed_years=dt.date(2026, 6, 30),
                deadline_current_year=dt.date(2026, 10, 31), **extra)


COUNTY_CSV = """指标,年份,数值
14,2023,81%
14,2024,82%
14,2025,83%
22,2023,88%
22,2024,89%
22,2025,90%
23,2023,305天
23,2024,300天
23,2025,310天
"""

# indicator → (city verdict label, county verdict label, words of the county reason)
COUNTY_CASES = [
    (14, "达标", "不适用", "不适用"),
    (22, "达标", "未达标", "未达到 ≥95%"),
    (23, "未达标", "达标", "达到 ≥300天"),
]


@pytest.mark.parametrize(("number", "city", "county", "words"), COUNTY_CASES)
def test_city_versus_county(tmp_path, number, city, county, words):
    (tmp_path / "evidence" / "indicators").mkdir(parents=True)
    (tmp_path / "evidence" / "indicators" / "values.csv").write_text(COUNTY_CSV, encoding="utf-8")
    results = {}
    for kind in Kind:
        project = Project(root=tmp_path, standard=mini_standard(), plan=make_plan(kind))
        results[kind], _diagnostics = evaluate_indicators(project, tmp_path / "evidence")
    assert verdict_label(results[Kind.CITY][number]) == city
    assert verdict_label(results[Kind.COUNTY][number]) == county
    assert words in results[Kind.COUNTY][number].reason


def test_county_names_and_not_applicable_rows_warned(tmp_path):
    (tmp_path / "evidence" / "indicators").mkdir(parents=True)
    (tmp_path / "evidence" / "indicators" / "values.csv").write_text(COUNTY_CSV, encoding="utf-8")
    project = Project(root=tmp_path, standard=mini_standard(), plan=make_plan(Kind.COUNTY))
    results, diagnostics = evaluate_indicators(project, tmp_path / "evidence")
    assert results[22].name == "城市生活污水处理率" and results[22].target == "≥95%"
    assert results[14].applies is False and results[23].applies is True
    flagged = sorted(d.where.line for d in diagnostics if d.code == "not-applicable")
    assert flagged == [2, 3, 4]  # the three rows of indicator 14


def test_local_override_wins_over_standard_and_county():
    tighter = ("≥330天或持续改善", Rule(RuleKind.THRESHOLD_OR_TREND, op=">=", value=330, unit="天", trend="持续改善"))
    for kind in Kind:
        plan = make_plan(kind, indicator_targets={23: tighter})
        effective = effective_indicator(mini_standard().indicators[23], plan)
        assert effective.target == "≥330天或持续改善" and effective.rule.value == 330


def test_shipped_standard_county_variants():
    """The shipped indicators.yml: 县 uses 95% for 22 and 300 days for 23; 14 is city only; 38 needs 5 years."""
    from handbook.load import standard as standard_module

    diagnostics: list = []
    standard = standard_module.load_standard(ROOT, diagnostics)
    county = make_plan(Kind.COUNTY)
    assert effective_indicator(standard.indicators[22], county).rule.value == 95
    assert effective_indicator(standard.indicators[23], county).rule.value == 300
    assert effective_indicator(standard.indicators[14], county).applies is False
    assert effective_indicator(standard.indicators[14], make_plan(Kind.CITY)).applies is True
    assert effective_indicator(standard.indicators[38], county).years == Y5
    kinds = {ind.rule.kind for ind in standard.indicators.values()}
    assert kinds == set(RuleKind)  # every rule kind is used, so every judge is reachable from data
