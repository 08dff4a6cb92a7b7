"""Validation of the standard and the local plan: one broken input per case, exact file and line.

Every case copies the small valid project tests/fixtures/loader/good, changes ONE text in ONE
file, loads it, and expects a diagnostic on the changed line of that file with the key words of
the message (and the suggested value where there is one). A case may expect the diagnostic in
another file (``at``), further diagnostics on the same line (``more``), or that this is the only
error (``only``): one mistake must not drag a trail of "不存在" errors behind it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from handbook.model import Problem, Level, Project
from handbook.load.project import load_project

GOOD = Path(__file__).parent / "fixtures" / "loader" / "good"
NAT = "standards/national/"
LOC = "standards/local/"


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # relative to the project root
    old: str  # must occur exactly once in the good file
    new: str
    line_of: str  # the expected line is the first line of the changed file containing this
    words: tuple[str, ...]  # all must appear in problem + fix
    level: Level = Level.ERROR
    at: str = ""  # the file the diagnostic is in, when not the changed one (line_of is looked up there)
    more: tuple[tuple[str, ...], ...] = ()  # further diagnostics expected on the same line
    only: bool = False  # no other error may be reported


CASES = [
    Case("yaml-syntax", NAT + "items.yml", "title: 爱卫组织与机构", "title: 爱卫组织: 与机构", "爱卫组织: 与机构", ("YAML 格式错误", "冒号")),
    Case("duplicate-key", LOC + "units.yml", "    slug: cgj\n", "    slug: cgj\n    slug: cgj2\n", "slug: cgj2", ("重复", "第 19 行")),
    Case("unknown-field", NAT + "checklists.yml", "complete_when: 每年一份正式印发的计划", "complete_wen: 每年一份正式印发的计划", "complete_wen", ("未知字段", "complete_wen", "complete_when")),
    Case("yes-is-not-bool", NAT + "checklists.yml", "        per_unit: true\n", "        per_unit: yes\n", "per_unit: yes", ("per_unit", "true 或 false", "yes")),
    Case("wrong-type-text", NAT + "items.yml", "    title: 健康教育网络\n", "    title: 2024\n", "title: 2024", ("title", "文字", "整数")),
    Case("missing-required", NAT + "items.yml", "    title: 健康教育网络\n", "", "  - number: 6", ("缺少必填字段", "title")),
    Case("item-out-of-range", NAT + "items.yml", "  - number: 6\n", "  - number: 46\n", "number: 46", ("46", "超出范围", "1–45")),
    Case("item-repeated", NAT + "items.yml", "  - number: 2\n", "  - number: 1\n", "  - number: 1\n    category: 1\n    title: 爱卫组织与机构", ("事项编号 1 重复",)),
    Case("unknown-category", NAT + "items.yml", "    category: 2\n", "    category: 5\n", "category: 5", ("分类 5 不存在", "1、2")),
    Case("category-lists-foreign-item", NAT + "categories.yml", "    items: [6]\n", "    items: [6,\n      3]\n", "      3]", ("列出了事项 3", "category 是 1")),
    Case("material-id-other-item", NAT + "checklists.yml", '      - id: "03.2"', '      - id: "04.2"', '"04.2"', ("04.2", "与所属事项 3 不符", "03.")),
    Case("material-id-format", NAT + "checklists.yml", '      - id: "02.1"', '      - id: "2.1"', '"2.1"', ("2.1", "格式不对", "NN.K")),
    Case("material-id-unquoted", NAT + "checklists.yml", '      - id: "02.1"', "      - id: 02.1", "id: 02.1", ("被当成了数字", "引号")),
    Case("rule-unknown-kind", NAT + "indicators.yml", "      kind: five_year_mean", "      kind: five_year_mea", "five_year_mea", ("five_year_mea", "无法识别", "five_year_mean")),
    Case("rule-unknown-op", NAT + "indicators.yml", 'op: ">=", value: 22', 'op: "=>", value: 22', "value: 22", ("比较符", "=>", ">=")),
    Case("rule-unknown-trend", NAT + "indicators.yml", "value: 22, unit: \"%\", trend: 持续提高", "value: 22, unit: \"%\", trend: 持续提搞", "持续提搞", ("趋势", "持续提搞", "持续提高")),
    Case("rule-threshold-without-value", NAT + "indicators.yml", 'op: ">=", value: 95, unit', 'op: ">=", unit', '{kind: threshold, op: ">=", unit', ("缺少“value”", "threshold")),
    Case("unknown-unit", LOC + "assignments.yml", "[市爱卫办, 市城管局, 嵩阳街道]", "[市爱卫办, 市城官局, 嵩阳街道]", "市城官局", ("市城官局", "不在 units.yml", "市城管局")),
    Case("checklist-unknown-item", NAT + "checklists.yml", "  - item: 6\n", "  - item: 7\n", "item: 7", ("事项 7", "不存在")),
    Case("unknown-slot", NAT + "checklists.yml", "        slot: work-plan\n", "        slot: work-plna\n", "work-plna", ("上传栏目", "work-plna", "work-plan")),
    Case("unknown-indicator", NAT + "items.yml", "    indicators: [1, 22]\n", "    indicators: [1, 23]\n", "[1, 23]", ("指标 23", "不存在")),
    Case("deadline-unknown-material", LOC + "deadlines.yml", '  "03.1": 2026-02-28', '  "03.3": 2026-02-28', '"03.3"', ("03.3", "不存在", "03.1")),
    Case("deadline-not-a-date", LOC + "deadlines.yml", "current_year_due: 2026-12-31", "current_year_due: 2026-13-01", "2026-13-01", ("2026-13-01", "不是真实存在的日期")),
    Case("deadline-bad-format", LOC + "deadlines.yml", "completed_years_due: 2026-06-30", "completed_years_due: 2026年6月30日", "2026年6月30日", ("不是日期", "YYYY-MM-DD")),
    Case("no-lead", LOC + "assignments.yml", "    lead: [市卫健委]\n", "    lead: []\n", "  2:", ("事项 6 没有牵头单位",)),
    Case("lead-is-group", LOC + "assignments.yml", "    lead: [市卫健委]\n", "    lead: [其它市直机关、事（企）业单位]\n", "lead: [其它", ("牵头单位不能是泛指单位",)),
    Case("duplicate-alias", LOC + "units.yml", "    aliases: [爱卫办]\n", "    aliases: [爱卫办, 卫健委]\n", "[爱卫办, 卫健委]", ("卫健委", "已属于单位“市卫健委”")),
    Case("duplicate-unit-name", LOC + "units.yml", "  - name: 嵩阳街道\n", "  - name: 市城管局\n", "  - name: 市城管局\n    slug: songyang", ("单位名称“市城管局”重复", "units.yml:18")),
    Case("duplicate-slug", LOC + "units.yml", "    slug: songyang\n", "    slug: cgj\n", "    slug: cgj\n    kind: 街道", ("slug“cgj”重复", "市城管局")),
    Case("bad-slug", LOC + "units.yml", "    slug: songyang\n", "    slug: 嵩阳\n", "slug: 嵩阳", ("slug", "无效", "小写")),
    Case("unknown-parent", LOC + "units.yml", "    parent: 市卫健委\n", "    parent: 市卫建委\n", "parent: 市卫建委", ("上级单位", "市卫建委", "市卫健委")),
    Case("waiver-unknown-unit", LOC + "waivers.yml", "    unit: 嵩阳街道\n", "    unit: 嵩杨街道\n", "嵩杨街道", ("嵩杨街道", "不在 units.yml", "嵩阳街道")),
    Case("waiver-unknown-material", LOC + "waivers.yml", '  - material: "06.1"', '  - material: "06.9"', '"06.9"', ("06.9", "不存在")),
    Case("waiver-unknown-item", LOC + "waivers.yml", '  - material: "06.1"', "  - item: 9", "item: 9", ("事项 9", "不存在")),
    Case("owner-unknown-unit", LOC + "indicators.yml", "  22: 市城管局\n", "  22: 城管\n", "22: 城管", ("填报单位", "城管", "市城管局")),
    Case("city-unknown-field", LOC + "city.yml", "review_year: 2026", "reveiw_year: 2026", "reveiw_year", ("未知字段", "reveiw_year", "review_year")),
    Case("city-bad-kind", LOC + "city.yml", "kind: 城市", "kind: 城", "kind: 城", ("kind", "无效", "城市")),
    Case("today-not-a-date", LOC + "city.yml", "today: 2026-05-20", "today: 2026-02-30", "2026-02-30", ("today", "不是真实存在的日期")),
    Case("idle-unit-warning", LOC + "units.yml", "groups:\n", "  - name: 市统计局\n    slug: tjj\ngroups:\n", "name: 市统计局", ("市统计局", "既不牵头也不负责"), Level.WARNING),
    # An empty required text is an error on its line, never a record silently dropped.
    Case("empty-material-title", NAT + "checklists.yml", "title: 爱国卫生工作规范性文件", 'title: ""', 'title: ""', ("“title”不能为空", "写上材料名称"), only=True),
    Case("blank-item-text", NAT + "items.yml", "text: 辖区内各级爱卫会组织健全，成员单位分工明确、职责落实。", 'text: "  "', 'text: "  "', ("第 2 个事项", "“text”不能为空")),
    Case("null-indicator-name", NAT + "indicators.yml", "name: 居民健康素养水平", "name:", "name:\n", ("第 1 个指标", "“name”不能为空")),
    Case("empty-category-title", NAT + "categories.yml", "title: 健康教育和健康促进", "title: ''", "title: ''", ("“title”不能为空", "写上分类名称"), only=True),
    Case("empty-slot-title", NAT + "slots.yml", "title: 工作计划", 'title: ""', 'title: ""', ("上传栏目", "“title”不能为空")),
    Case("empty-unit-name", LOC + "units.yml", "  - name: 嵩阳街道\n", '  - name: ""\n', 'name: ""', ("第 5 个单位", "“name”不能为空")),
    Case("empty-stage-name", LOC + "deadlines.yml", "{name: 培训学习,", '{name: "",', '{name: "",', ("第 1 个阶段", "“name”不能为空")),
    Case("empty-override-target", LOC + "indicators.yml", "{target: ≥80%或持续提高,", '{target: "",', '{target: "",', ("指标 22 的本地目标", "“target”不能为空")),
    Case("empty-city", LOC + "city.yml", "city: 登封市", 'city: ""', 'city: ""', ("“city”不能为空",)),
    Case("null-review-year", LOC + "city.yml", "review_year: 2026", "review_year:", "review_year:", ("city.yml", "“review_year”不能为空")),
    Case("null-deadline", LOC + "deadlines.yml", "current_year_due: 2026-12-31", "current_year_due:", "current_year_due:", ("“current_year_due”不能为空",)),
    # One broken entry, one error: what refers to it (other files, deadlines, waivers, owners) is quiet.
    Case("item-out-of-range-alone", NAT + "items.yml", "  - number: 6\n", "  - number: 60\n", "number: 60", ("60", "超出范围"), only=True),
    Case("bad-rule-alone", NAT + "indicators.yml", 'trend: 持续提高}\n    years: 3\n    items: [6]', 'trend: 持续增长}\n    years: 3\n    items: [6]', "trend: 持续增长}", ("指标 22", "趋势“持续增长”无法识别"), only=True),
    Case("broken-material-alone", NAT + "checklists.yml", "        title: 年度工作计划\n", "        title: \n", "title: \n", ("“title”不能为空",), only=True),
    Case("broken-unit-alone", LOC + "units.yml", "    slug: cgj\n", '    slug: ""\n', 'slug: ""', ("“slug”不能为空",), only=True),
    # Material ids are suggested from the same item, nearest by number; never by shared characters.
    Case("waiver-material-same-item", LOC + "waivers.yml", '  - material: "06.1"', '  - material: "01.6"', '"01.6"', ("01.6", "不存在", "是否应为“01.1”", "事项 1 的材料为 01.1")),
    Case("deadline-material-nearest", LOC + "deadlines.yml", '  "03.1": 2026-02-28', '  "03.7": 2026-02-28', '"03.7"', ("03.7", "是否应为“03.2”", "03.1–03.2")),
    # A misspelt kind does not hide the other problems of the rule.
    Case("rule-bad-kind-and-more", NAT + "indicators.yml", "{kind: threshold_or_trend, op: \">=\", value: 22, unit: \"%\", trend: 持续提高}", "{kind: threshold_or_tren, op: \"=>\", value: 22%, unit: \"%\", trend: 持续提搞}", "threshold_or_tren", ("kind“threshold_or_tren”无法识别", "threshold_or_trend"), more=(("比较符“=>”", ">="), ("趋势“持续提搞”", "持续提高"), ("“value”应为数字", "22%"))),
    # Every item needs a checklist, numbered without gaps.
    Case("no-checklist", NAT + "checklists.yml", "  - item: 6\n    materials:\n      - id: \"06.1\"\n        title: 健康教育栏目照片\n        complete_when: 每两个月更换一次的宣传栏照片及说明\n        per_year: true\n        formats: [pdf, jpg, png]\n", "", "  - number: 6", ("事项 6 没有材料清单", "checklists.yml", "item: 6"), at=NAT + "items.yml", only=True),
    Case("empty-checklist", NAT + "checklists.yml", "  - item: 2\n    materials:\n      - id: \"02.1\"\n        title: 爱卫会组成文件\n        complete_when: 成立或调整爱卫会的文件，含成员名单\n        formats: [pdf]\n        seal: true\n", "  - item: 2\n    materials: []\n", "materials: []", ("事项 2 的材料清单是空的",)),
    Case("material-gap", NAT + "checklists.yml", '      - id: "03.2"', '      - id: "03.3"', '"03.3"', ("事项 3 的材料编号不连续", "缺少 03.2", "03.3")),
    # The structured rule must say what the target text says.
    Case("rule-target-op", NAT + "indicators.yml", 'op: ">=", value: 22', 'op: ">", value: 22', 'op: ">", value: 22', ("指标 1的 rule与目标“≥22%或持续提高”不符", "比较符应为“>=”", "“>”")),
    Case("rule-target-value", NAT + "indicators.yml", 'value: 75, unit: "%"', 'value: 57, unit: "%"', "value: 57", ("指标 22", "数值应为 75", "57")),
    Case("rule-target-unit", NAT + "indicators.yml", 'value: 95, unit: "%"', 'value: 95, unit: "天"', 'unit: "天"', ("county.rule", "与目标“≥95%”不符", "单位应为“%”", "“天”")),
    Case("rule-target-trend", NAT + "indicators.yml", 'value: 22, unit: "%", trend: 持续提高', 'value: 22, unit: "%", trend: 持续降低', "trend: 持续降低", ("趋势应为“持续提高”", "持续降低")),
    Case("rule-target-kind", NAT + "indicators.yml", "      kind: five_year_mean", "      kind: presence", "kind: presence", ("与目标“不高于近5年平均水平”不符", "kind 应为 five_year_mean", "presence")),
    Case("local-rule-target", LOC + "indicators.yml", 'value: 80, unit: "%"', 'value: 10, unit: "天"', "value: 10", ("指标 22 的本地 rule", "≥80%或持续提高", "数值应为 80", "单位应为“%”")),
    Case("target-unchecked", NAT + "indicators.yml", "target: 不高于近5年平均水平", "target: 控制在较低水平", "控制在较低水平", ("无法自动核对",), Level.WARNING),
]


def copy_good(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(GOOD, root)
    return root


def mutate(root: Path, case: Case) -> str:
    path = root / case.file
    text = path.read_text(encoding="utf-8")
    assert text.count(case.old) == 1, f"fixture text to replace must be unique: {case.old!r}"
    changed = text.replace(case.old, case.new)
    path.write_text(changed, encoding="utf-8")
    return changed


def line_of(text: str, needle: str) -> int:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


def matching(project: Project, file: str, line: int, words: tuple[str, ...]) -> list[Problem]:
    return [
        d
        for d in project.diagnostics
        if d.where.file == file and d.where.line == line and all(w in f"{d.problem} {d.fix}" for w in words)
    ]


def test_good_fixture_is_clean() -> None:
    project = load_project(GOOD)
    assert project.diagnostics == []


def test_cases_are_distinct() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 60
    assert len({(c.file, c.old, c.new) for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_input_is_reported_on_its_line(tmp_path: Path, case: Case) -> None:
    root = copy_good(tmp_path)
    changed = mutate(root, case)
    project = load_project(root)
    file = case.at or case.file
    line = line_of(changed if file == case.file else (root / file).read_text(encoding="utf-8"), case.line_of)
    found = matching(project, file, line, case.words)
    listing = "\n".join(str(d) for d in project.diagnostics)
    assert found, f"expected {file}:{line} with {case.words}; got:\n{listing}"
    assert all(d.level is case.level for d in found)
    text = str(found[0])
    assert text.startswith(f"{file}:{line}: "), text
    for words in case.more:
        assert matching(project, file, line, words), f"expected also {file}:{line} with {words}; got:\n{listing}"
    if case.level is Level.WARNING:
        assert project.errors == [], listing
    if case.only:
        assert project.diagnostics == found[:1], listing


def test_all_errors_are_reported_together(tmp_path: Path) -> None:
    """Several broken files at once: every problem is reported, nothing stops at the first."""
    root = copy_good(tmp_path)
    chosen = [c for c in CASES if c.id in {"yaml-syntax", "unknown-unit", "deadline-not-a-date", "unknown-slot", "rule-unknown-trend"}]
    for case in chosen:
        mutate(root, case)
    project = load_project(root)
    codes = {d.code for d in project.errors}
    assert {"yaml-syntax", "unknown-unit", "bad-date", "unknown-slot", "rule-unknown-trend"} <= codes
    # The rest still loaded: items of categories.yml, units, the other indicators.
    assert set(project.standard.items) == set()  # items.yml did not parse ...
    assert len(project.standard.categories) == 2  # ... but everything else did
    assert "市城管局" in project.plan.units
    assert project.standard.indicators[38].years == 5


def test_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    root = copy_good(tmp_path)
    (root / "standards/local/units.yml").unlink()
    project = load_project(root)
    missing = [d for d in project.errors if d.where.file == "standards/local/units.yml" and d.code == "missing-file"]
    assert missing and "缺少文件" in str(missing[0])
    assert project.plan.units == {}
    assert any(d.code == "unknown-unit" for d in project.errors)  # assignments now name unknown units


def test_optional_files_may_be_absent(tmp_path: Path) -> None:
    root = copy_good(tmp_path)
    (root / "standards/local/waivers.yml").unlink()
    (root / "standards/local/indicators.yml").unlink()
    project = load_project(root)
    assert project.errors == []
    # 市城管局 only owned indicator 22 besides its duties; it still has duties, so no warning.
    assert project.plan.waivers == [] and project.plan.indicator_owners == {}


def test_not_a_mapping_at_top_level(tmp_path: Path) -> None:
    root = copy_good(tmp_path)
    (root / "standards/national/slots.yml").write_text("- key: x\n", encoding="utf-8")
    project = load_project(root)
    assert any(d.where == d.where.__class__("standards/national/slots.yml", 1) and d.code == "wrong-type" for d in project.errors)


def test_empty_file_is_reported(tmp_path: Path) -> None:
    root = copy_good(tmp_path)
    (root / "standards/local/deadlines.yml").write_text("# nothing yet\n", encoding="utf-8")
    project = load_project(root)
    assert any(d.where.file == "standards/local/deadlines.yml" and d.code == "empty-file" for d in project.errors)
    # The plan still has deadlines to work with: the end of the review year.
    assert project.plan.deadline_current_year.isoformat() == "2026-12-31"
