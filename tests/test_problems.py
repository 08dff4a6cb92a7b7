"""The one problem type (handbook.model.Problem) and its one formatter: a test per rule it encodes."""

from __future__ import annotations

import dataclasses
import pickle

from handbook.model import Diagnostic, Level, Problem, Where, format_problem
from handbook.problems import as_dict, error, sort_key, warning

PDF = "03-年度计划/03.1-年度工作计划/2024-市爱卫办-计划.pdf"
SIDECAR = "03-年度计划/03.1-年度工作计划/2024-市爱卫办-计划.yml"


def test_on_its_own_a_problem_reads_place_level_message_and_fix():
    problem = error(Where("standards/local/assignments.yml", 12), "单位“市政府办X”不在 units.yml 中",
                    "是否应为“市政府办”？", "unknown-unit")
    assert format_problem(problem) == "standards/local/assignments.yml:12: 错误: 单位“市政府办X”不在 units.yml 中 — 是否应为“市政府办”？"
    assert str(problem) == format_problem(problem)  # logs and f-strings say it the same way


def test_a_whole_file_place_has_no_line_and_a_problem_without_fix_no_dash():
    problem = warning(Where("standards/national/items.yml"), "共有 3 个事项", code="incomplete-standard")
    assert format_problem(problem) == "standards/national/items.yml: 警告: 共有 3 个事项"


def test_a_problem_without_a_place_still_says_its_level():
    assert format_problem(Problem("empty", "文件是空的", "重新提交")) == "错误: 文件是空的 — 重新提交"


def test_beside_its_own_file_only_the_message_and_fix_are_said():
    problem = Problem("empty", "文件是空的（0 字节）", "重新提交完整的文件", place=Where(PDF))
    assert format_problem(problem, beside=PDF) == "文件是空的（0 字节） — 重新提交完整的文件"
    assert format_problem(problem, beside=PDF, fix=False) == "文件是空的（0 字节）"


def test_beside_its_file_a_sidecar_problem_names_the_sidecar_line():
    at_line = Problem("sidecar-error", "未知字段“doc_numbr”", "改为 doc_number", Level.ERROR, Where(SIDECAR, 4))
    whole = Problem("sidecar-error", "说明文件不是 UTF-8 编码", "另存为 UTF-8", Level.ERROR, Where(SIDECAR))
    assert format_problem(at_line, beside=PDF, fix=False) == "说明文件第 4 行：未知字段“doc_numbr”"
    assert format_problem(whole, beside=PDF, fix=False) == "说明文件：说明文件不是 UTF-8 编码"
    assert format_problem(at_line, beside=PDF, fix=False, full_place=True) == f"{SIDECAR}:4：未知字段“doc_numbr”"
    assert format_problem(whole, beside=PDF, full_place=True) == f"{SIDECAR}：说明文件不是 UTF-8 编码 — 另存为 UTF-8"


def test_beside_another_file_the_place_is_named_in_full():
    other = Problem("sidecar-error", "同一个文件有多个说明文件", "合并", Level.WARNING, Where("03/x.yaml.bak", 2))
    assert format_problem(other, beside=PDF, fix=False) == "03/x.yaml.bak:2：同一个文件有多个说明文件"


def test_beside_its_file_a_line_of_that_file_is_named():
    row = Problem("bad-value", "数值不是数字", "填数字", place=Where("evidence/indicators/values.csv", 7))
    assert format_problem(row, beside="evidence/indicators/values.csv", fix=False) == "第 7 行：数值不是数字"


def test_the_export_entry_keeps_its_documented_shape():
    problem = error(Where("standards/local/units.yml", 3), "单位名称重复", "每个单位只写一次", "duplicate-unit")
    assert as_dict(problem) == {
        "level": "error", "file": "standards/local/units.yml", "line": 3, "problem": "单位名称重复",
        "fix": "每个单位只写一次", "code": "duplicate-unit",
        "text": "standards/local/units.yml:3: 错误: 单位名称重复 — 每个单位只写一次",
    }
    assert as_dict(Problem("empty", "文件是空的"))["file"] == "" and as_dict(Problem("empty", "文件是空的"))["line"] == 0


def test_errors_sort_before_warnings_then_by_file_and_line():
    problems = [warning(Where("a.yml", 1), "w"), error(Where("b.yml", 9), "e2"), error(Where("b.yml", 2), "e1"),
                Problem("x", "no place")]
    assert [p.message for p in sorted(problems, key=sort_key)] == ["no place", "e1", "e2", "w"]


def test_the_compatibility_constructor_builds_the_one_type():
    old = Diagnostic(Level.WARNING, Where("city.yml", 2), "旧写法", "新写法", "old-code")
    assert type(old) is Problem
    assert old == Problem("old-code", "旧写法", "新写法", Level.WARNING, Where("city.yml", 2))
    assert (old.where, old.problem) == (Where("city.yml", 2), "旧写法")  # the former names, read-only
    assert Problem("x", "m").where == Where("")


def test_a_problem_is_a_value_it_pickles_and_replaces():
    problem = Problem("empty", "文件是空的", "重新提交")
    placed = dataclasses.replace(problem, place=Where(PDF))
    assert placed.place == Where(PDF) and problem.place is None
    assert pickle.loads(pickle.dumps(placed)) == placed
