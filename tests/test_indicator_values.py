"""Reading the indicator values table: bad input reported with row numbers, encodings, XLSX, the template."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from handbook.judge.indicators import evaluate_indicators, result_as_dict, verdict_label
from handbook.outputs.indicator_template import write_template
from handbook.model import (
    CountyVariant,
    Indicator,
    Kind,
    Level,
    Plan,
    Project,
    Rule,
    RuleKind,
    Standard,
    Unit,
    Verdict,
)

ROOT = Path(__file__).resolve().parent.parent
HEADER = "指标,年份,数值,规划值,填报单位,来源"


def indicator(number: int, name: str, target: str, rule: Rule, years: int = 3, **county) -> Indicator:
    return Indicator(number=number, name=name, target=target, note="", rule=rule, years=years, items=(),
                     county=CountyVariant(**county) if county else CountyVariant())


def standard() -> Standard:
    """A few indicators covering each kind of value: percent, ‰, trend, five years, plan, grade, 有/无."""
    indicators = [
        indicator(2, "群众对卫生状况满意率", "≥90%", Rule(RuleKind.THRESHOLD, op=">=", value=90, unit="%")),
        indicator(3, "居民健康素养水平", "≥23%或持续提升",
                  Rule(RuleKind.THRESHOLD_OR_TREND, op=">=", value=23, unit="%", trend="持续提高")),
        indicator(10, "全面控烟法律法规规定", "有", Rule(RuleKind.PRESENCE)),
        indicator(14, "道路机械化清扫率", "≥80%", Rule(RuleKind.THRESHOLD, op=">=", value=80, unit="%"), applies=False),
        indicator(33, "中小学生近视率", "逐年下降", Rule(RuleKind.TREND, trend="逐年下降")),
        indicator(38, "甲、乙类法定传染病报告发病率", "不高于近5年平均水平", Rule(RuleKind.FIVE_YEAR_MEAN), years=5),
        indicator(39, "婴儿死亡率", "≤5.6‰或持续降低",
                  Rule(RuleKind.THRESHOLD_OR_TREND, op="<=", value=5.6, unit="‰", trend="持续降低")),
        indicator(49, "每千常住人口医疗卫生机构床位数", "符合所在地区域卫生规划要求", Rule(RuleKind.PLAN, op=">=")),
        indicator(55, "建成区鼠、蚊、蝇、蟑螂的密度", "达到国家病媒生物密度控制水平标准C级要求",
                  Rule(RuleKind.GRADE, grade="C")),
    ]
    return Standard(categories=[], items={}, indicators={i.number: i for i in indicators}, slots={})


OWNERS = {2: "市统计局", 3: "市疾控中心", 10: "市爱卫办", 14: "市城管局", 33: "市教育局", 38: "市疾控中心",
          39: "市卫健委", 49: "市卫健委", 55: "市疾控中心"}


def project(root: Path, kind: Kind = Kind.CITY) -> Project:
    units = {name: Unit(name=name, slug=f"u{i}") for i, name in enumerate(sorted(set(OWNERS.values())))}
    alias_index = {name: name for name in units} | {"卫健委": "市卫健委"}
    plan = Plan(city="登封市", kind=kind, review_year=2026, window=(2023, 2024, 2025, 2026),
                today=dt.date(2026, 11, 23), units=units, groups={}, assignments={}, stages=[],
                deadline_completed_years=dt.date(2026, 6, 30), deadline_current_year=dt.date(2026, 10, 31),
                indicator_owners=dict(OWNERS), alias_index=alias_index)
    return Project(root=root, standard=standard(), plan=plan)


def write_csv(root: Path, lines: list[str], encoding: str = "utf-8", name: str = "values.csv") -> Path:
    folder = root / "evidence" / "indicators"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def evaluate(root: Path, kind: Kind = Kind.CITY):
    return evaluate_indicators(project(root, kind), root / "evidence")


GOOD = ["2,2023,91%,,市统计局,满意度调查报告", "2,2024,92%,,市统计局,满意度调查报告", "2,2025,93%,,市统计局,满意度调查报告"]

# (id, the bad line (it becomes row 5: header row 1, three good rows 2–4), level, code, words in the problem)
BAD_ROWS = [
    ("not-a-number", "3,2025,abc,,市疾控中心,", Level.ERROR, "bad-value", ["“abc”不是数值"]),
    ("space-inside", '3,2025,"12 13",,市疾控中心,', Level.ERROR, "bad-value", ["数字中间有空格"]),
    ("bad-thousands", '3,2025,"1,2345",,市疾控中心,', Level.ERROR, "bad-value", ["逗号或小数点位置不对"]),
    ("two-points", "3,2025,1.2.3,,市疾控中心,", Level.ERROR, "bad-value", ["逗号或小数点位置不对"]),
    ("over-100-percent", "3,2025,130%,,市疾控中心,", Level.WARNING, "value-out-of-range", ["超过 100%"]),
    ("negative", "3,2025,-5%,,市疾控中心,", Level.WARNING, "value-out-of-range", ["是负数"]),
    ("unknown-number", "57,2025,1,,市疾控中心,", Level.ERROR, "unknown-indicator", ["未知指标“57”"]),
    ("unknown-name", "居民健康素养水品,2025,25%,,市疾控中心,", Level.ERROR, "unknown-indicator", ["居民健康素养水品"]),
    ("empty-number", ",2025,25%,,市疾控中心,", Level.ERROR, "unknown-indicator", ["指标编号为空"]),
    ("year-outside", "3,2019,25%,,市疾控中心,", Level.WARNING, "year-outside", ["不需要 2019 年"]),
    ("year-not-a-year", "3,二〇二五,25%,,市疾控中心,", Level.ERROR, "bad-year", ["不是年份"]),
    ("missing-plan", "49,2025,6.6,,市卫健委,", Level.ERROR, "missing-plan-value", ["缺少规划值"]),
    ("bad-plan", "49,2025,6.6,约6,市卫健委,", Level.ERROR, "bad-plan-value", ["规划值"]),
    ("wrong-unit", "39,2025,5.6%,,市卫健委,", Level.ERROR, "bad-unit", ["“%”与目标单位“‰”不符"]),
    ("grade-for-number", "3,2025,C级,,市疾控中心,", Level.ERROR, "bad-value", ["应填数值"]),
    ("number-for-grade", "55,2025,3,,市疾控中心,", Level.ERROR, "bad-value", ["应填等级"]),
    ("number-for-presence", "10,2025,1,,市爱卫办,", Level.ERROR, "bad-value", ["应填“有”或“无”"]),
    ("duplicate-different", "2,2025,95%,,市统计局,", Level.ERROR, "duplicate-row", ["第 4 行", "两个不同数值"]),
    ("duplicate-same", "2,2025,93%,,市统计局,", Level.WARNING, "duplicate-row", ["重复填报"]),
    ("fraction-percent", "3,2025,0.25,,市疾控中心,", Level.WARNING, "fraction-percent", ["0.25"]),
    ("comparator", "3,2025,≥25%,,市疾控中心,", Level.WARNING, "comparator-value", ["按 25 计"]),
    ("not-applicable", "14,2025,85%,,市城管局,", Level.WARNING, "not-applicable", ["不适用"]),
    ("source-missing", "3,2025,25%,,市疾控中心,06/06.1-健康素养/2025-市疾控中心-监测报告.pdf", Level.WARNING,
     "missing-source", ["不是 evidence/ 下已有的文件"]),
]


@pytest.mark.parametrize(("line", "level", "code", "words"), [c[1:] for c in BAD_ROWS], ids=[c[0] for c in BAD_ROWS])
def test_bad_row_is_reported_with_its_row_and_the_others_still_count(tmp_path, line, level, code, words):
    write_csv(tmp_path, [HEADER, *GOOD, line])
    results, diagnostics = evaluate(tmp_path, Kind.COUNTY if code == "not-applicable" else Kind.CITY)
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    diagnostic = found[0]
    assert diagnostic.level is level
    assert diagnostic.where.file == "evidence/indicators/values.csv" and diagnostic.where.line == 5
    assert diagnostic.fix, "every problem says how to fix it"
    for word in words:
        assert word in diagnostic.problem, diagnostic.problem
    assert str(diagnostic).startswith("evidence/indicators/values.csv:5: ")
    if code != "duplicate-row":  # the good rows of indicator 2 still make it pass
        assert results[2].verdict is Verdict.PASS and set(results[2].values) == {2023, 2024, 2025}


def test_duplicate_with_different_values_leaves_that_year_out(tmp_path):
    write_csv(tmp_path, [HEADER, *GOOD, "2,2025,95%,,市统计局,"])
    results, _ = evaluate(tmp_path)
    assert results[2].verdict is Verdict.NO_DATA and results[2].reason == "缺 2025 年数据"


def test_row_numbers_count_blank_lines(tmp_path):
    """People see the blank line as a row in Excel: the row after it is row 4, not 3."""
    write_csv(tmp_path, [HEADER, "2,2025,93%,,,", "", "2,2024,abc,,,"])
    _, diagnostics = evaluate(tmp_path)
    assert [d.where.line for d in diagnostics if d.code == "bad-value"] == [4]


def test_extra_comma_is_warned_and_the_row_still_counts(tmp_path):
    write_csv(tmp_path, [HEADER, *GOOD[:2], "2,2025,93%,,市统计局,满意度调查报告,附件一"])
    results, diagnostics = evaluate(tmp_path)
    assert [(d.code, d.where.line, d.level) for d in diagnostics] == [("extra-cells", 4, Level.WARNING)]
    assert "附件一" in diagnostics[0].problem
    assert results[2].verdict is Verdict.PASS and results[2].values[2025].source == "满意度调查报告"


def test_empty_table_is_warned(tmp_path):
    write_csv(tmp_path, [""])
    results, diagnostics = evaluate(tmp_path)
    assert [d.code for d in diagnostics] == ["empty-table"] and results[2].reason == "未填报"


def test_missing_required_column(tmp_path):
    write_csv(tmp_path, ["指标,年度", "2,2025"])
    results, diagnostics = evaluate(tmp_path)
    assert [(d.code, d.where.line) for d in diagnostics] == [("missing-column", 1)]
    assert "数值" in diagnostics[0].problem
    assert results[2].verdict is Verdict.NO_DATA


def test_no_table_means_not_reported_and_no_error(tmp_path):
    (tmp_path / "evidence").mkdir()
    results, diagnostics = evaluate(tmp_path, Kind.COUNTY)
    assert diagnostics == []
    applicable = [r for r in results.values() if r.applies]
    assert applicable and all(r.verdict is Verdict.NO_DATA and r.reason == "未填报" for r in applicable)
    assert verdict_label(results[14]) == "不适用" and results[14].applies is False


def test_stray_table_is_warned(tmp_path):
    write_csv(tmp_path, [HEADER, *GOOD])
    write_csv(tmp_path, [HEADER, *GOOD], name="指标填报模板-市统计局.csv")
    _, diagnostics = evaluate(tmp_path)
    assert [d.code for d in diagnostics] == ["stray-table"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(tmp_path, encoding):
    write_csv(tmp_path, [HEADER, "3,2023,24.1%,,市疾控中心,登封市健康素养监测报告",
                         "3,2024,26.3%,,市疾控中心,", "3,2025,２８．５％,,市疾控中心,"], encoding=encoding)
    results, diagnostics = evaluate(tmp_path)
    assert diagnostics == []
    assert results[3].verdict is Verdict.PASS
    assert results[3].values[2025].value == 28.5
    assert results[3].values[2023].source == "登封市健康素养监测报告"
    assert results[3].values[2023].reporter == "市疾控中心"


@pytest.mark.parametrize("delimiter", ["\t", ","])
def test_excel_unicode_text_is_read(tmp_path, delimiter):
    """Excel's 另存为“Unicode 文本”: UTF-16 little-endian with a byte-order mark, tab-separated (round one refused it)."""
    lines = [HEADER, "3,2023,24.1%,,市疾控中心,登封市健康素养监测报告", "3,2024,26.3%,,市疾控中心,",
             "3,2025,28.5%,,市疾控中心,"]
    write_csv(tmp_path, [line.replace(",", delimiter) for line in lines], encoding="utf-16")
    results, diagnostics = evaluate(tmp_path)
    assert diagnostics == []
    assert results[3].verdict is Verdict.PASS and results[3].values[2025].value == 28.5
    assert results[3].values[2023].source == "登封市健康素养监测报告"


def test_demo_like_table_gives_every_verdict(tmp_path):
    write_csv(tmp_path, [
        HEADER,
        "33,2023,52.1%,,市教育局,", "33,2024,51.3%,,市教育局,", "33,2025,51.3%,,市教育局,",
        "38,2021,245.3/10万,,,", "38,2022,231.8/10万,,,", "38,2023,268.4/10万,,,", "38,2024,252.1/10万,,,",
        "38,2025,238.6/10万,,,",
        "39,2023,3.2‰,,,", "39,2025,2.9‰,,,",
        "49,2025,6.6,6.5,卫健委,",
        "55,2025,C级,,,",
        "10,2025,有,,,",
    ])
    results, diagnostics = evaluate(tmp_path)
    assert diagnostics == []
    assert results[33].verdict is Verdict.FAIL and "2025年与上年持平" in results[33].reason
    assert results[38].verdict is Verdict.PASS and "平均 247.24/10万" in results[38].reason
    assert results[39].verdict is Verdict.PASS  # threshold branch, middle year missing
    assert results[49].verdict is Verdict.PASS and results[49].values[2025].plan_value == 6.5
    assert results[55].verdict is Verdict.PASS and results[10].verdict is Verdict.PASS
    assert results[3].verdict is Verdict.NO_DATA and results[3].reason == "未填报"
    exported = result_as_dict(results[38])
    assert exported["verdict"] == "达标" and exported["values"]["2021"]["value"] == 245.3
    assert exported["years"] == [2021, 2022, 2023, 2024, 2025] and exported["rule"] == {"kind": "five_year_mean"}


def test_unit_consistency_for_rules_without_unit(tmp_path):
    write_csv(tmp_path, [HEADER, "33,2023,52.1%,,,", "33,2024,511‰,,,", "33,2025,50,,,"])
    results, diagnostics = evaluate(tmp_path)
    assert [(d.code, d.where.line) for d in diagnostics] == [("bad-unit", 3)]
    assert results[33].values[2025].unit == "%"  # the bare number takes the indicator's unit
    assert results[33].verdict is Verdict.NO_DATA and "缺 2024 年数据" in results[33].reason


# --------------------------------------------------------------------------- XLSX


def write_xlsx(path: Path, sheets: dict[str, list[list]], percent_cells: set[tuple[str, int, int]] = frozenset()) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=value)
                if (title, r, c) in percent_cells:
                    cell.number_format = "0.0%"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def test_xlsx_typed_cells_and_excel_percent(tmp_path):
    """Excel turns a typed 92.5% into 0.925 formatted as percent; years arrive as numbers."""
    header = ["指标", "年份", "数值", "规划值", "填报单位", "来源"]
    rows = [header, [2, 2023, 0.912, None, "市统计局", None], [2, 2024, "92%", None, None, None],
            [2, 2025, 0.925, None, None, None], [49, 2025, 6.6, 6.5, None, None], [3, 2025, "x", None, None, None]]
    percent = {("Sheet1", 2, 3), ("Sheet1", 4, 3)}
    write_xlsx(tmp_path / "evidence" / "indicators" / "values.xlsx", {"Sheet1": rows}, percent)
    results, diagnostics = evaluate(tmp_path)
    assert results[2].values[2025].value == 92.5 and results[2].values[2025].unit == "%"
    assert results[2].values[2023].value == pytest.approx(91.2)
    assert results[49].values[2025].plan_value == 6.5
    assert [(d.where.file, d.where.line) for d in diagnostics] == [("evidence/indicators/values.xlsx", 6)]


def test_xlsx_every_sheet_is_read_and_named(tmp_path):
    header = ["指标", "名称", "年份", "数值", "规划值", "填报单位", "来源", "目标值", "说明"]
    write_xlsx(tmp_path / "evidence" / "indicators" / "values.xlsx", {
        "市统计局": [header, [2, "满意率", 2025, "93%", None, "市统计局", None, "≥90%", ""]],
        "市疾控中心": [header, [3, "素养", 2025, "abc", None, "市疾控中心", None, "", ""]],
    })
    results, diagnostics = evaluate(tmp_path)
    assert results[2].verdict is Verdict.PASS
    assert [str(d.where) for d in diagnostics] == ["evidence/indicators/values.xlsx 工作表「市疾控中心」:2"]


def test_xlsx_title_row_and_notes_sheet(tmp_path):
    """A title above the header is skipped; a sheet of notes is warned about, not an error."""
    write_xlsx(tmp_path / "evidence" / "indicators" / "values.xlsx", {
        "数据": [["登封市指标数据"], ["指标", "年份", "数值"], [2, 2025, "93%"], [2, 2024, "x"]],
        "填写说明": [["百分比填 92.5%"]],
    })
    results, diagnostics = evaluate(tmp_path)
    assert results[2].values[2025].value == 93
    assert sorted((d.code, d.level, d.where.line) for d in diagnostics) == [
        ("bad-value", Level.ERROR, 4), ("no-header", Level.WARNING, 1)]


def test_csv_and_xlsx_together_duplicates_are_caught(tmp_path):
    write_csv(tmp_path, [HEADER, "2,2025,93%,,,"])
    write_xlsx(tmp_path / "evidence" / "indicators" / "values.xlsx",
               {"Sheet1": [["指标", "年份", "数值"], [2, 2025, "94%"]]})
    results, diagnostics = evaluate(tmp_path)
    assert [(d.code, d.where.file) for d in diagnostics] == [("duplicate-row", "evidence/indicators/values.xlsx")]
    assert "values.csv 第 2 行" in diagnostics[0].problem  # the other row is in the other table
    assert results[2].verdict is Verdict.NO_DATA


def test_damaged_xlsx_is_reported(tmp_path):
    path = tmp_path / "evidence" / "indicators" / "values.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a zip")
    _results, diagnostics = evaluate(tmp_path)
    assert [d.code for d in diagnostics] == ["unreadable-table"] and diagnostics[0].level is Level.ERROR


# --------------------------------------------------------------------------- the template


def test_template_for_one_unit_reads_back(tmp_path):
    out = tmp_path / "模板.xlsx"
    write_template(project(tmp_path), out, "市疾控中心")
    frame = pd.read_excel(out, sheet_name=None, dtype=str)
    assert list(frame) == ["市疾控中心"]
    sheet = frame["市疾控中心"]
    assert {"指标", "名称", "年份", "数值", "规划值", "填报单位", "来源", "目标值", "说明"} <= set(sheet.columns)
    rows = list(zip(sheet["指标"].astype(int), sheet["年份"].astype(int)))
    assert rows == [(3, 2023), (3, 2024), (3, 2025), *[(38, y) for y in range(2021, 2026)],
                    (55, 2023), (55, 2024), (55, 2025)]
    assert set(sheet["目标值"]) == {"≥23%或持续提升", "不高于近5年平均水平", "达到国家病媒生物密度控制水平标准C级要求"}
    assert set(sheet["填报单位"]) == {"市疾控中心"}


def test_template_every_unit_skips_not_applicable_and_formulas_stay_text(tmp_path):
    spec = project(tmp_path, Kind.COUNTY)
    spec.standard.indicators[2].target = "=1+1"  # must never become a live formula
    out = tmp_path / "all.xlsx"
    write_template(spec, out)
    frames = pd.read_excel(out, sheet_name=None, dtype=str)
    assert "市城管局" not in frames  # its only indicator, 14, does not apply to a 县
    assert set(frames) == {"市统计局", "市疾控中心", "市爱卫办", "市教育局", "市卫健委"}
    assert frames["市统计局"]["目标值"].tolist() == ["=1+1"] * 3
    from openpyxl import load_workbook

    cell = load_workbook(out)["市统计局"]["H2"]
    assert cell.data_type == "s" and cell.value == "=1+1"


def test_template_filled_in_is_read_as_values(tmp_path):
    """Fill the template as a person would, save it as values.xlsx: it judges."""
    out = tmp_path / "evidence" / "indicators" / "values.xlsx"
    write_template(project(tmp_path), out)
    from openpyxl import load_workbook

    workbook = load_workbook(out)
    sheet = workbook["市统计局"]
    for row, value in zip((2, 3, 4), ("91%", "92%", "93%")):
        sheet.cell(row=row, column=4, value=value)
    workbook.save(out)
    results, diagnostics = evaluate(tmp_path)
    assert diagnostics == []  # blank template rows are not errors
    assert results[2].verdict is Verdict.PASS
    assert results[3].reason == "未填报"


def test_template_unit_without_indicators(tmp_path):
    with pytest.raises(ValueError, match="没有负责填报"):
        write_template(project(tmp_path), tmp_path / "x.xlsx", "市财政局")


def test_template_command(tmp_path):
    """The CLI on the shipped project (needs the loader); the file lands in cwd by default."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), "HANDBOOK_TODAY": "2026-11-23"}
    run = subprocess.run([sys.executable, "-m", "handbook", "--root", str(ROOT), "template", "--indicators",
                          "--unit", "市疾控中心"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    frame = pd.read_excel(tmp_path / "指标填报模板-市疾控中心.xlsx", dtype=str)
    assert "38" in set(frame["指标"]) and len(frame[frame["指标"] == "38"]) == 5
    bad = subprocess.run([sys.executable, "-m", "handbook", "--root", str(ROOT), "template", "--indicators",
                          "--unit", "市疾控中"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "市疾控中心" in bad.stderr


def test_shipped_demo_values_read_cleanly_and_show_every_verdict():
    """The demo table for 登封 is what a new user sees first: no error in it, and each verdict on show."""
    from handbook.load.project import load_project

    root = Path(__file__).resolve().parent.parent
    shipped = load_project(root)
    results, diagnostics = evaluate_indicators(shipped, root / "evidence")
    assert [d for d in diagnostics if d.level is Level.ERROR] == []
    verdicts = {r.verdict for r in results.values() if r.applies}
    assert {Verdict.PASS, Verdict.FAIL, Verdict.NO_DATA} <= verdicts
    assert all(r.reason for r in results.values() if r.applies)
