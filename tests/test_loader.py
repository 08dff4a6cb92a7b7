"""Loading the standard and the plan: the shipped data, the YAML loader, suggestions, defaults."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from handbook.problems import nearest_material, nearest_number, suggest
from handbook.model import Kind, Level, RuleKind
from handbook.load.plan import default_window
from handbook.load.project import count_warnings, load_project
from handbook.load.standard import read_target
from handbook.load.yamlload import LineDict, LineList, load_yaml_text

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "fixtures" / "loader" / "good"


# --------------------------------------------------------------------------- the shipped data


@pytest.fixture(scope="module")
def shipped():
    return load_project(ROOT)


def test_shipped_data_loads_without_errors(shipped) -> None:
    assert [str(d) for d in shipped.errors] == []
    assert [str(d) for d in shipped.warnings] == []  # e.g. no target the rule check could not read


def test_every_shipped_target_is_read_and_agrees_with_its_rule(shipped) -> None:
    for indicator in shipped.standard.indicators.values():
        reading = read_target(indicator.target)
        assert reading is not None and reading.kind is indicator.rule.kind, indicator.number
        county = indicator.county
        if county.target:
            assert read_target(county.target).kind is (county.rule or indicator.rule).kind, indicator.number


def test_shipped_data_has_the_whole_standard(shipped) -> None:
    standard = shipped.standard
    assert len(standard.categories) == 7
    assert sorted(standard.items) == list(range(1, 46))
    assert sorted(standard.indicators) == list(range(1, 57))
    assert len(standard.slots) == 11
    assert count_warnings(shipped) == []
    assert all(item.materials for item in standard.items.values())


def test_shipped_plan_assigns_every_item(shipped) -> None:
    plan = shipped.plan
    assert set(plan.assignments) == set(range(1, 46))
    assert all(a.lead for a in plan.assignments.values())
    assert plan.review_year in plan.window


# --------------------------------------------------------------------------- the fixture project


def test_fixture_loads_into_the_model() -> None:
    project = load_project(GOOD)
    standard, plan = project.standard, project.plan
    assert [c.number for c in standard.categories] == [1, 2]
    assert standard.material("03.2").per_unit is True
    assert standard.material("02.1").formats == ("pdf",)
    assert standard.material("01.1").slot == "regulations"
    assert standard.indicators[22].county.rule.value == 95.0
    assert standard.indicators[38].rule.kind is RuleKind.FIVE_YEAR_MEAN
    assert plan.city == "登封市" and plan.kind is Kind.CITY
    assert plan.today == dt.date(2026, 5, 20)
    assert plan.window == (2023, 2024, 2025, 2026)
    assert plan.units["市爱卫办"].parent == "市卫健委"
    assert plan.material_deadlines == {"03.1": dt.date(2026, 2, 28)}
    assert plan.indicator_owners[38] == "市卫健委"  # written as the alias 卫健委
    assert plan.indicator_targets[22][0] == "≥80%或持续提高"


def test_assignments_fall_back_to_the_category_and_include_leads() -> None:
    plan = load_project(GOOD).plan
    item1, item3 = plan.assignments[1], plan.assignments[3]
    assert item1.lead == ("市政府办", "市卫健委", "市爱卫办")
    assert "市爱卫办" in item1.responsible  # a lead is responsible too, even when not listed
    assert item1.groups == ("其它市直机关、事（企）业单位",)
    assert item3.lead == ("市爱卫办",)  # the item's own list replaces the category's
    assert item3.duty.startswith("负责拟定")  # ... but the duty not given is the category's
    assert item1.where.file == "standards/local/assignments.yml"


def test_alias_index_resolves_every_name() -> None:
    plan = load_project(GOOD).plan
    assert plan.resolve_unit("卫健委").name == "市卫健委"
    assert plan.resolve_unit("登封市卫生健康委员会").name == "市卫健委"
    assert plan.resolve_unit(" 市城管局 ").slug == "cgj"
    assert plan.resolve_unit("市城官局") is None


def _with_city(tmp_path: Path, city_text: str) -> Path:
    root = tmp_path / "p"
    shutil.copytree(GOOD, root)
    (root / "standards/local/city.yml").write_text(city_text, encoding="utf-8")
    return root


def test_window_defaults_to_three_completed_years_and_the_review_year(tmp_path: Path) -> None:
    assert default_window(2026) == (2023, 2024, 2025, 2026)
    root = _with_city(tmp_path, "city: 某市\nkind: 县\nreview_year: 2027\n")
    plan = load_project(root, today=dt.date(2027, 1, 2)).plan
    assert plan.window == (2024, 2025, 2026, 2027) and plan.kind is Kind.COUNTY


def test_explicit_window_is_sorted_and_checked(tmp_path: Path) -> None:
    root = _with_city(tmp_path, "city: 某市\nkind: 城市\nreview_year: 2026\nwindow: [2026, 2024, 2027]\n")
    project = load_project(root, today=dt.date(2026, 1, 1))
    assert project.plan.window == (2024, 2026)
    assert [(d.where.line, d.code) for d in project.errors] == [(4, "bad-window")]


def test_today_comes_from_flag_then_environment_then_city_then_system(tmp_path: Path, monkeypatch) -> None:
    """The one documented precedence (handbook.settings): flag, HANDBOOK_TODAY, city.yml, system date."""
    monkeypatch.setenv("HANDBOOK_TODAY", "2026-03-03")
    assert load_project(GOOD, today=dt.date(2026, 1, 1)).plan.today == dt.date(2026, 1, 1)  # the flag
    assert load_project(GOOD).plan.today == dt.date(2026, 3, 3)  # the environment beats city.yml
    monkeypatch.delenv("HANDBOOK_TODAY")
    assert load_project(GOOD).plan.today == dt.date(2026, 5, 20)  # city.yml today
    root = _with_city(tmp_path, "city: 某市\nkind: 城市\nreview_year: 2026\n")
    monkeypatch.setenv("HANDBOOK_TODAY", "2026-02-31")
    project = load_project(root)
    assert project.plan.today == dt.date.today()
    assert any("HANDBOOK_TODAY" in str(d) and d.code == "bad-date" for d in project.errors)
    monkeypatch.delenv("HANDBOOK_TODAY")
    assert load_project(root).plan.today == dt.date.today()


def test_bad_root_does_not_raise(tmp_path: Path) -> None:
    project = load_project(tmp_path)
    assert project.errors and project.standard.items == {} and project.plan.units == {}
    assert any(d.code == "no-standards" for d in project.errors)


# --------------------------------------------------------------------------- the YAML loader


def test_yaml_keeps_lines_of_keys_values_and_elements() -> None:
    data, diags = load_yaml_text("a: 1\nb:\n  - x\n  - y: 2\n    z: >-\n      long\n", "f.yml")
    assert diags == []
    assert isinstance(data, LineDict) and isinstance(data["b"], LineList)
    assert data.key_line("b") == 2 and data.value_line("a") == 1
    assert data["b"].item_lines == [3, 4]
    assert data["b"][1].line == 4 and data["b"][1].value_line("z") == 5


def test_yaml_resolves_only_true_false_and_no_dates() -> None:
    data, diags = load_yaml_text("a: yes\nb: no\nc: on\nd: true\ne: False\nf: 2026-06-30\ng: 08\nh: 010\ni: ~\n", "f.yml")
    assert diags == []
    assert data == {"a": "yes", "b": "no", "c": "on", "d": True, "e": False, "f": "2026-06-30", "g": 8, "h": 10, "i": None}


def test_yaml_duplicate_keys_name_both_lines_and_keep_the_first() -> None:
    data, diags = load_yaml_text("a: 1\nb: 2\na: 3\n", "standards/local/x.yml")
    assert data["a"] == 1
    assert [str(d) for d in diags] == [
        "standards/local/x.yml:3: 错误: 键“a”重复出现（第 1 行已有） — 删去或合并其中一处；同一层级的键不能重复（现在只采用第 1 行的值）"
    ]


def test_yaml_syntax_error_has_file_and_line() -> None:
    data, diags = load_yaml_text("a: 1\nb: [1, 2\nc: 3\n", "f.yml")
    assert data is None and len(diags) == 1
    assert diags[0].level is Level.ERROR and diags[0].code == "yaml-syntax"
    assert diags[0].where.line == 3 and "从第 2 行开始" in diags[0].problem


def test_yaml_tab_indentation_is_explained() -> None:
    _data, diags = load_yaml_text("a:\n\t- 1\n", "f.yml")
    assert diags[0].where.line == 2 and "Tab" in diags[0].problem


def test_yaml_merge_keys_are_not_duplicates() -> None:
    data, diags = load_yaml_text("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3\n", "f.yml")
    assert diags == [] and data["m"] == {"x": 3, "y": 2}


# --------------------------------------------------------------------------- suggestions


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("市城官局", "市城管局"),  # one wrong character
        ("市管城局", "市城管局"),  # two swapped
        ("卫健委", "市卫健委"),  # short form
        ("市 城管局", "市城管局"),  # a stray space
        ("ｗｏｒｋ－ｐｌａｎ", "work-plan"),  # full-width input
        ("complete_wen", "complete_when"),
        ("持续提搞", "持续提高"),
        ("嵩杨街道", "嵩阳街道"),
    ],
)
def test_suggest_finds_the_nearest(typo: str, expected: str) -> None:
    candidates = ["市城管局", "市卫健委", "市住建局", "嵩阳街道", "少林街道", "work-plan", "complete_when", "持续提高", "持续降低"]
    assert suggest(typo, candidates) == expected


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("03.9", "03.8"),  # same item, nearest number: never 09.3, which shares its characters
        ("26.7", "26.5"),
        ("09.03", "09.3"),
        ("3.2", "03.2"),  # the item written without its leading 0
        ("04.1", None),  # no material of item 4 among the candidates
    ],
)
def test_material_ids_are_suggested_by_number_within_their_item(typo: str, expected: str | None) -> None:
    ids = [f"03.{k}" for k in range(1, 9)] + ["09.3", "26.1", "26.2", "26.3", "26.4", "26.5", "09.1", "09.2"]
    assert suggest(typo, ids) == expected
    assert nearest_material(typo, ids) == expected


def test_numbers_are_suggested_by_distance() -> None:
    assert suggest("46", ["1", "6", "45", "64"]) == "45"  # not 64, which shares both digits
    assert nearest_number(7, [1, 2, 3, 6]) == 6
    assert nearest_number(4, [3, 5]) == 3  # a tie goes to the smaller
    assert nearest_number(4, []) is None


@pytest.mark.parametrize(
    ("target", "kind", "fields"),
    [
        ("≥90%", RuleKind.THRESHOLD, {"ops": (">=",), "value": 90.0, "unit": "%"}),
        ("＜20%", RuleKind.THRESHOLD, {"ops": ("<",), "value": 20.0}),
        ("≥38％", RuleKind.THRESHOLD, {"unit": "%"}),  # full-width ％ is %
        ("100%", RuleKind.THRESHOLD, {"ops": (">=", "==")}),  # a bare value is reached
        ("不高于10天", RuleKind.THRESHOLD, {"ops": ("<=",), "unit": "天"}),
        ("≤18/10万或持续降低", RuleKind.THRESHOLD_OR_TREND, {"unit": "/10万", "trend": "持续降低"}),
        ("≥23%或持续提升", RuleKind.THRESHOLD_OR_TREND, {"trend": "持续提高"}),  # the seed's synonym
        ("逐年下降", RuleKind.TREND, {"trend": "逐年下降"}),
        ("不高于近5年平均水平", RuleKind.FIVE_YEAR_MEAN, {}),
        ("符合所在地区域卫生规划要求", RuleKind.PLAN, {}),
        ("达到国家病媒生物密度控制水平标准C级要求", RuleKind.GRADE, {"grade": "C"}),
        ("达到国家《环境空气质量标准》二级标准", RuleKind.PRESENCE, {}),
        ("出台全面控烟的规范性文件或被市级全面控烟法律法规规定覆盖", RuleKind.PRESENCE, {}),
    ],
)
def test_target_grammar(target: str, kind: RuleKind, fields: dict) -> None:
    reading = read_target(target)
    assert reading is not None and reading.kind is kind
    for name, value in fields.items():
        assert getattr(reading, name) == value, name


def test_targets_outside_the_grammar_are_not_guessed() -> None:
    assert read_target("控制在较低水平") is None
    assert read_target("≥90%或持续变好") is None  # an unknown trend


def test_rule_against_target_reports_each_disagreement(tmp_path: Path) -> None:
    """The audit's example: a rule <= 10 天 on a target ≥95% is one error naming op, value and unit."""
    root = tmp_path / "p"
    shutil.copytree(GOOD, root)
    path = root / "standards/national/indicators.yml"
    text = path.read_text(encoding="utf-8").replace(
        '{kind: threshold, op: ">=", value: 95, unit: "%"}', '{kind: threshold, op: "<=", value: 10, unit: "天"}'
    )
    path.write_text(text, encoding="utf-8")
    [error] = load_project(root).errors
    assert error.code == "rule-target-mismatch" and error.where.line == 20  # the county rule's line
    assert all(w in error.problem for w in ("比较符应为“>=”", "数值应为 95", "单位应为“%”", "“天”"))


def test_suggest_returns_none_when_nothing_is_close() -> None:
    assert suggest("市教育局", ["市城管局", "嵩阳街道"]) is None  # 市…局 alone is no likeness
    assert suggest("市教育局", ["市城管局", "市体育局"]) == "市体育局"
    assert suggest("xyz", ["市城管局"]) is None
    assert suggest("", ["市城管局"]) is None
