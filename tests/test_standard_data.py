"""The standard and the demo city's plan, checked against the seeds they were taken from.

The YAML is read with plain ``yaml.safe_load`` on purpose: these tests check the *content*
(verbatim texts, targets, cross references, unit coverage), not the loader. The seeds are
parsed here, independently of the throwaway script that extracted the data.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from handbook.model import OPERATORS, TRENDS, RuleKind

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "standards" / "national"
LOCAL = ROOT / "standards" / "local"
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"

SLOT_KEYS = [
    "recommendation", "work-report", "work-plan", "implementation-plan", "regulations", "office",
    "area-population", "economy", "divisions", "maps", "other",
]
RULE_UNITS = {"%", "‰", "/10万", "天", "小时", "平方米", "名", "个", "岁", "分贝"}
# Separators of seed 000's unit lists. "A（B、C）" means A, B and C are all responsible, so the
# brackets only separate names; "市总医院及基层医院" is two entries.
LIST_SEPARATORS = "、，,。；;及 （）()"


# --------------------------------------------------------------------------- loading


@cache
def load(folder: str, name: str) -> dict:
    path = ROOT / "standards" / folder / name
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}-*.txt")
    return path.read_text(encoding="utf-8")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------- seed 000: items and unit lists


def seed_tasks_section() -> str:
    text = seed_text("000")
    return text[text.index("四、主要任务及责任分工") : text.index("五、时间安排")]


def seed_items() -> dict[int, str]:
    """Paragraphs ``N.`` of section 四, N = 1..45, text after ``N.``."""
    found: dict[int, str] = {}
    for line in seed_tasks_section().splitlines():
        match = re.match(r"^\s*(\d{1,2})\.(.+)$", line)
        if match:
            number = int(match.group(1))
            assert number not in found, f"seed 000 numbers item {number} twice"
            found[number] = normalise(match.group(2))
    return found


def seed_lists(label: str) -> list[str]:
    """The seven ``牵头单位：`` or ``责任单位：`` lists of section 四, in category order."""
    return [
        line.split("：", 1)[1].strip()
        for line in seed_tasks_section().splitlines()
        if line.strip().startswith(f"{label}：")
    ]


def seed_duties() -> list[str]:
    return [line.split("：", 1)[1].strip() for line in seed_tasks_section().splitlines() if line.startswith("工作职责：")]


def split_unit_list(text: str, known: set[str]) -> list[str]:
    """Split a seed list into names, longest known name first (some group names contain 、 and （）).

    A stretch that starts no known name is returned as it is, up to the next separator, so the
    caller can report it as unknown.
    """
    names: list[str] = []
    i = 0
    while i < len(text):
        match = max((name for name in known if text.startswith(name, i)), key=len, default=None)
        if match:
            names.append(match)
            i += len(match)
        elif text[i] in LIST_SEPARATORS:
            i += 1
        else:
            end = i
            while end < len(text) and text[end] not in LIST_SEPARATORS:
                end += 1
            names.append(text[i:end])
            i = end
    return names


def bracketed(text: str, known: set[str]) -> list[tuple[str, list[str]]]:
    """Each ``A（B、C）`` of a seed list whose A is a known name, as (A, [B, C])."""
    pairs = []
    for match in re.finditer(r"([^、，（）]+)（([^（）]+)）", text):
        outer = match.group(1).strip()
        if outer in known:
            pairs.append((outer, split_unit_list(match.group(2), known)))
    return pairs


# --------------------------------------------------------------------------- seed 002: the indicator table


def seed_indicators() -> dict[int, dict[str, str]]:
    """Rows of table 二（二）主要指标: tab-indented number, name, target, note. 50–54 take 49's target."""
    text = seed_text("002")
    table = text[text.index("（二）主要指标") : text.index("三、工作范围")]
    lines = table.splitlines()
    rows: dict[int, dict[str, str]] = {}
    i = 0
    while i < len(lines):
        match = re.fullmatch(r"\t(\d{1,2})", lines[i])
        if match:
            name, target, note = (normalise(lines[i + k].replace("\u00a0", " ")) for k in (1, 2, 3))
            rows[int(match.group(1))] = {"name": name, "target": target, "note": note}
            i += 4
        else:
            i += 1
    for number in range(50, 55):
        assert rows[number]["target"] == "", "seed 002 writes the plan target once, on 49"
        rows[number]["target"] = rows[49]["target"]
    return rows


# --------------------------------------------------------------------------- units


def units() -> list[dict]:
    return load("local", "units.yml")["units"]


def group_names() -> set[str]:
    return {group["name"] for group in load("local", "units.yml")["groups"]}


def alias_index() -> dict[str, str]:
    """Every name a unit goes by (name, full name, aliases) → canonical name."""
    index: dict[str, str] = {}
    for unit in units():
        for name in [unit["name"], unit.get("full_name") or "", *(unit.get("aliases") or [])]:
            if name:
                assert index.get(name, unit["name"]) == unit["name"], f"{name} names two units"
                index[name] = unit["name"]
    return index


def resolve(name: str) -> str:
    """Canonical unit name, or the group name; AssertionError if neither."""
    index = alias_index()
    if name in index:
        return index[name]
    assert name in group_names(), f"“{name}” is neither a unit (name or alias) nor a group in units.yml"
    return name


def known_names() -> set[str]:
    return set(alias_index()) | group_names()


# =========================================================================== tests: the seeds parse


def test_seed_000_has_45_items_and_7_lists_of_each_kind():
    assert sorted(seed_items()) == list(range(1, 46))
    assert len(seed_lists("牵头单位")) == 7
    assert len(seed_lists("责任单位")) == 7
    assert len(seed_duties()) == 7


def test_seed_002_has_56_indicators():
    rows = seed_indicators()
    assert sorted(rows) == list(range(1, 57))
    assert rows[16]["target"] == "≥38％"  # full-width ％ kept
    assert rows[54]["target"] == "符合所在地区域卫生规划要求"


def test_list_splitter_keeps_group_names_and_reports_unknown_names():
    known = {"市卫健委", "市爱卫办", "其它市直机关、事（企）业单位", "市总医院"}
    text = "市卫健委（市爱卫办、市某某局），其它市直机关、事（企）业单位、市总医院及基层医院。"
    assert split_unit_list(text, known) == [
        "市卫健委", "市爱卫办", "市某某局", "其它市直机关、事（企）业单位", "市总医院", "基层医院",
    ]
    assert bracketed(text, known) == [("市卫健委", ["市爱卫办", "市某某局"])]


# =========================================================================== tests: national


def test_categories_cover_items_1_to_45_once_in_order():
    categories = load("national", "categories.yml")["categories"]
    assert [c["number"] for c in categories] == list(range(1, 8))
    assert [c["numeral"] for c in categories] == list("一二三四五六七")
    covered = [n for c in categories for n in c["items"]]
    assert covered == list(range(1, 46))
    expected = {1: (1, 5), 2: (6, 9), 3: (10, 20), 4: (21, 26), 5: (27, 32), 6: (33, 37), 7: (38, 45)}
    for category in categories:
        first, last = expected[category["number"]]
        assert category["items"] == list(range(first, last + 1))


def test_category_titles():
    titles = [c["title"] for c in load("national", "categories.yml")["categories"]]
    assert titles == [
        "爱国卫生组织管理", "健康教育和健康促进", "市容环境卫生", "生态环境", "重点场所卫生",
        "食品和生活饮用水安全", "疾病防控与医疗卫生服务",
    ]


def test_item_texts_are_seed_000_verbatim():
    items = load("national", "items.yml")["items"]
    assert [item["number"] for item in items] == list(range(1, 46))
    seed = seed_items()
    for item in items:
        assert normalise(item["text"]) == seed[item["number"]], f"item {item['number']} differs from seed 000"


def test_items_are_written_as_block_scalars():
    raw = (NATIONAL / "items.yml").read_text(encoding="utf-8")
    assert len(re.findall(r"^    text: [|>]-?$", raw, flags=re.M)) == 45


def test_item_fields_and_categories_agree():
    categories = {c["number"]: set(c["items"]) for c in load("national", "categories.yml")["categories"]}
    for item in load("national", "items.yml")["items"]:
        assert set(item) == {"number", "category", "title", "text", "indicators"}
        assert item["number"] in categories[item["category"]]
        assert 0 < len(item["title"]) <= 12, item["title"]
        assert all(1 <= n <= 56 for n in item["indicators"])
        assert item["indicators"] == sorted(set(item["indicators"]))
    titles = [item["title"] for item in load("national", "items.yml")["items"]]
    assert len(set(titles)) == 45


def test_indicator_names_targets_and_notes_are_seed_002_verbatim():
    indicators = load("national", "indicators.yml")["indicators"]
    assert [ind["number"] for ind in indicators] == list(range(1, 57))
    seed = seed_indicators()
    for ind in indicators:
        row = seed[ind["number"]]
        assert ind["name"] == row["name"], ind["number"]
        assert ind["target"] == row["target"], ind["number"]
        assert ind["note"] == row["note"], ind["number"]


def test_items_and_indicators_link_both_ways_and_every_indicator_has_an_item():
    items = {item["number"]: set(item["indicators"]) for item in load("national", "items.yml")["items"]}
    for ind in load("national", "indicators.yml")["indicators"]:
        assert ind["items"], f"indicator {ind['number']} belongs to no item"
        for number in ind["items"]:
            assert ind["number"] in items[number], f"item {number} does not list indicator {ind['number']}"
    for number, linked in items.items():
        for indicator in linked:
            owners = next(i["items"] for i in load("national", "indicators.yml")["indicators"] if i["number"] == indicator)
            assert number in owners, f"indicator {indicator} does not list item {number}"


@pytest.mark.parametrize(
    ("item", "indicators"),
    [(5, {2}), (6, {3}), (8, {4, 5, 6, 7}), (9, {8, 9, 10}), (12, {16, 17}), (42, {49, 50, 51, 52, 53, 54}),
     (45, {55, 56})],
)
def test_key_item_indicator_links(item, indicators):
    linked = next(i["indicators"] for i in load("national", "items.yml")["items"] if i["number"] == item)
    assert set(linked) == indicators


def check_rule(rule: dict, where: str) -> None:
    kind = RuleKind(rule["kind"])
    allowed = {
        RuleKind.THRESHOLD: {"kind", "op", "value", "unit"},
        RuleKind.TREND: {"kind", "trend", "unit"},
        RuleKind.THRESHOLD_OR_TREND: {"kind", "op", "value", "unit", "trend"},
        RuleKind.FIVE_YEAR_MEAN: {"kind", "unit"},
        RuleKind.PLAN: {"kind", "op"},
        RuleKind.GRADE: {"kind", "grade"},
        RuleKind.PRESENCE: {"kind"},
    }[kind]
    assert set(rule) <= allowed, f"{where}: fields {set(rule) - allowed} do not belong to {kind.value}"
    if kind in (RuleKind.TREND, RuleKind.FIVE_YEAR_MEAN):  # no unit in the target text; the values still have one
        assert rule.get("unit"), f"{where}: a {kind.value} rule names the unit its values are in"
    if "op" in allowed:
        assert rule["op"] in OPERATORS, where
    if "value" in allowed:
        assert isinstance(rule["value"], (int, float)) and not isinstance(rule["value"], bool), where
    if "unit" in allowed:
        assert rule["unit"] in RULE_UNITS, where
    if "trend" in allowed:
        assert rule["trend"] in TRENDS, where
    if kind is RuleKind.GRADE:
        assert rule["grade"] in "ABCD", where


def target_number(target: str) -> float | None:
    match = re.search(r"\d+(?:\.\d+)?", target.split("或")[0])
    return float(match.group()) if match else None


def test_indicator_rules_are_well_formed_and_match_the_target_text():
    for ind in load("national", "indicators.yml")["indicators"]:
        where = f"indicator {ind['number']}"
        check_rule(ind["rule"], where)
        rule = ind["rule"]
        if "value" in rule:
            assert rule["value"] == target_number(ind["target"]), where
        if rule["kind"] == "threshold_or_trend":
            assert "或" in ind["target"], where
        if "op" in rule and rule["kind"] != "plan":
            symbol = ind["target"][0]
            expected = {"≥": ">=", ">": ">", "＞": ">", "≤": "<=", "<": "<", "＜": "<", "1": ">="}[symbol]
            assert rule["op"] == expected, where
        if rule.get("unit") and rule["unit"] != "%" and "value" in rule:  # a threshold's unit is in its text
            assert rule["unit"] in ind["target"], where


@pytest.mark.parametrize(
    ("number", "kind"),
    [(10, "presence"), (24, "presence"), (33, "trend"), (34, "trend"), (38, "five_year_mean"), (47, "trend"),
     (55, "grade"), (22, "threshold_or_trend"), (42, "threshold_or_trend")]
    + [(n, "plan") for n in range(49, 55)],
)
def test_rule_kinds_of_special_indicators(number, kind):
    indicator = next(i for i in load("national", "indicators.yml")["indicators"] if i["number"] == number)
    assert indicator["rule"]["kind"] == kind
    if number == 55:
        assert indicator["rule"]["grade"] == "C"


def test_indicator_years():
    for ind in load("national", "indicators.yml")["indicators"]:
        assert ind["years"] == (5 if ind["number"] == 38 else 3), ind["number"]


def test_county_variants():
    indicators = {i["number"]: i for i in load("national", "indicators.yml")["indicators"]}
    for number in (14, 15, 20, 21):
        assert indicators[number]["county"]["applies"] is False, number
    assert indicators[22]["county"] == {
        "applies": True, "name": "城市生活污水处理率", "target": "≥95%",
        "rule": {"kind": "threshold", "op": ">=", "value": 95, "unit": "%"},
    }
    assert indicators[23]["county"]["target"] == "≥300天或持续改善"
    assert indicators[23]["county"]["rule"]["value"] == 300
    assert indicators[1]["county"]["name"] == "国家卫生乡镇"
    assert indicators[10]["county"]["target"] == "出台全面控烟的规范性文件或被市级全面控烟法律法规规定覆盖"
    for ind in indicators.values():
        county = ind.get("county")
        if county:
            assert set(county) <= {"applies", "name", "target", "rule"}
            if "rule" in county:
                check_rule(county["rule"], f"county variant of {ind['number']}")


def test_slots_are_the_eleven_fixed_keys_in_order():
    slots = load("national", "slots.yml")["slots"]
    assert [slot["key"] for slot in slots] == SLOT_KEYS
    titles = {slot["key"]: slot for slot in slots}
    assert titles["divisions"]["county_title"] == "街道、乡镇、社区、村名单（县）"
    assert titles["maps"]["county_title"] == "辖区规划图和交通图"
    assert titles["recommendation"]["title"] == "爱卫会推荐报告"
    for slot in slots:
        assert set(slot["kinds"]) <= {"城市", "县"} and slot["kinds"]


# =========================================================================== tests: local


def test_city():
    city = load("local", "city.yml")
    assert city["city"] == "登封市"
    assert city["kind"] == "城市"
    assert city["review_year"] == 2026
    assert city["window"] == [2023, 2024, 2025, 2026]
    assert "today" not in city, "today must come from HANDBOOK_TODAY, not the file"
    assert city["max_file_mb"] == 50


def test_unit_slugs_are_unique_ascii_and_names_unique():
    slugs = [unit["slug"] for unit in units()]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug), slug
    alias_index()  # raises when one name stands for two units
    assert not group_names() & set(alias_index()), "a name is both a unit and a group"


def test_unit_fields_and_parents():
    names = {unit["name"] for unit in units()}
    for unit in units():
        assert set(unit) <= {"name", "slug", "full_name", "aliases", "kind", "parent", "liaison", "accounts", "emails", "roles"}
        assert unit["kind"], unit["name"]
        if unit.get("parent"):
            assert unit["parent"] in names and unit["parent"] != unit["name"], unit["name"]


def test_every_unit_of_seed_000_lists_is_present():
    known = known_names()
    for text in seed_lists("牵头单位") + seed_lists("责任单位"):
        for name in split_unit_list(text, known):
            resolve(name)


def test_bracketed_sub_units_have_the_outer_unit_as_a_parent():
    by_name = {unit["name"]: unit for unit in units()}
    known = known_names()
    seen = 0
    for text in seed_lists("牵头单位") + seed_lists("责任单位"):
        for outer, inner in bracketed(text, known):
            outer_name = resolve(outer)
            for name in inner:
                sub = by_name[resolve(name)]
                seen += 1
                # 市疾控中心 is bracketed under 市卫健委 and under 市总医院; it has one parent (see units.yml)
                if sub["name"] == "市疾控中心" and outer_name == "市总医院":
                    continue
                assert sub.get("parent") == outer_name, f"{sub['name']} should sit in {outer_name}"
    assert seen >= 10


def test_seed_aliases_are_one_unit():
    index = alias_index()
    for a, b in [("市自然资源和规划局", "市资源规划局"), ("市场监管局", "市市场监管局"),
                 ("市市场监督管理局", "市市场监管局"), ("嵩管委", "市嵩管委"), ("供销社", "市供销社")]:
        assert index[a] == index[b]


def expanded_seed_list(text: str) -> set[str]:
    return {resolve(name) for name in split_unit_list(text, known_names())}


def test_assignments_follow_seed_000_per_category():
    assignments = load("local", "assignments.yml")
    leads, responsibles, duties = seed_lists("牵头单位"), seed_lists("责任单位"), seed_duties()
    assert sorted(assignments["categories"]) == list(range(1, 8))
    for number, entry in assignments["categories"].items():
        assert set(entry) == {"lead", "responsible", "duty"}
        assert set(entry["lead"]) == expanded_seed_list(leads[number - 1]), f"category {number} lead"
        assert set(entry["responsible"]) == expanded_seed_list(responsibles[number - 1]) | set(entry["lead"]), (
            f"category {number} responsible"
        )
        assert entry["duty"] == duties[number - 1]
        for names in (entry["lead"], entry["responsible"]):
            assert len(names) == len(set(names))
            assert all(resolve(name) == name for name in names), "write canonical names"


def test_every_item_is_assigned_its_categorys_units_from_seed_000():
    """Seed 000 assigns per category: each item's lead = 牵头单位 of its category, responsible = 责任单位.

    Checked on the loaded plan, so a per-item override in assignments.yml would show up here.
    """
    from handbook.load.project import load_project

    project = load_project(ROOT)
    assert project.errors == []
    leads, responsibles = seed_lists("牵头单位"), seed_lists("责任单位")
    items = {item["number"]: item["category"] for item in load("national", "items.yml")["items"]}
    assert sorted(project.plan.assignments) == sorted(items) == list(range(1, 46))
    for number, assignment in project.plan.assignments.items():
        category = items[number]
        lead = expanded_seed_list(leads[category - 1])
        assert set(assignment.lead) == lead, f"item {number} lead"
        everyone = set(assignment.responsible) | set(assignment.groups)
        assert everyone == expanded_seed_list(responsibles[category - 1]) | lead, f"item {number} responsible"


def test_deadlines():
    deadlines = load("local", "deadlines.yml")
    stages = deadlines["stages"]
    assert [s["name"] for s in stages] == ["培训学习", "自查达标", "检查验收"]
    assert [(s["start"], s["end"]) for s in stages] == [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ]
    assert deadlines["completed_years_due"] == dt.date(2026, 6, 30)
    assert deadlines["current_year_due"] == dt.date(2026, 12, 31)
    for material, due in deadlines.get("materials", {}).items():
        assert material in {"03.1", "03.2"} and isinstance(due, dt.date)


def test_waivers():
    waivers = load("local", "waivers.yml")["waivers"]
    assert waivers
    for waiver in waivers:
        assert waiver["reason"]
        assert re.fullmatch(r"\d{2}\.\d+", waiver.get("material", "00.1"))
        if "unit" in waiver:
            resolve(waiver["unit"])


def test_indicator_owners_cover_all_56_and_are_units():
    local = load("local", "indicators.yml")
    assert sorted(local["owners"]) == list(range(1, 57))
    unit_names = {unit["name"] for unit in units()}
    for number, owner in local["owners"].items():
        assert owner in unit_names, f"owner of {number}: {owner}"
    assert local["overrides"] == {}
    assert local["owners"][2] == "市统计局"
    assert local["owners"][36] == "市市场监管局"
