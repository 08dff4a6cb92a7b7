"""Hostile YAML (issue 17, defects 1 and 2): alias bombs and deep nesting cost one parser pass and a message."""

from __future__ import annotations

import json

import pytest

from conftest import a_pdf, assert_bounded, run_handbook, tree_digest

from handbook.load.yamlload import load_yaml_text
from handbook.load.fields import shown

# 337 bytes that build 9^9 = 387,420,489 strings: a repr() of it needs gigabytes.
LAUGHS = (
    '[&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], '
    "&c [*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d], "
    "&f [*e,*e,*e,*e,*e,*e,*e,*e,*e], &g [*f,*f,*f,*f,*f,*f,*f,*f,*f], &h [*g,*g,*g,*g,*g,*g,*g,*g,*g], "
    "&i [*h,*h,*h,*h,*h,*h,*h,*h,*h]]"
)
ALIAS_MESSAGE = "别名（*e）展开后超过 200,000 个值，像是“十亿笑声”式的构造"


def test_alias_bomb_is_refused_by_the_loader_with_file_and_line():
    data, diagnostics = load_yaml_text(f"doc_type: 公文\ndoc_number: {LAUGHS}\n", "x.yml")
    assert data is None
    assert [(str(d.where), d.problem, d.code) for d in diagnostics] == [("x.yml:2", ALIAS_MESSAGE, "yaml-limit")]


def test_nesting_past_fifty_levels_is_refused_at_its_line():
    text = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400))
    _, diagnostics = load_yaml_text(text, "city.yml")
    assert [(str(d.where), d.problem) for d in diagnostics] == [("city.yml:51", "列表或映射嵌套超过 50 层")]
    _, diagnostics = load_yaml_text("note: " + "[" * 100_000, "s.yml")  # never even closed
    assert [d.problem for d in diagnostics] == ["列表或映射嵌套超过 50 层"]


def test_an_alias_to_itself_is_refused():
    _, diagnostics = load_yaml_text("a: &x [1, *x]\n", "s.yml")
    assert [d.problem for d in diagnostics] == ["别名 *x 引用了包含它自己的锚点（无限嵌套）"]


def test_shown_builds_only_what_it_prints():
    big = [1]
    for _ in range(40):
        big = [big] * 9  # 9^40 elements if walked: shown() must stop at 40 characters
    assert shown(big) == "[" * 37 + "…"
    assert shown({"k": ["a", 2]}) == "{'k': ['a', 2]}"


def test_a_5000_digit_number_stays_text():
    data, diagnostics = load_yaml_text("n: " + "1" * 5000 + "\n", "s.yml")
    assert data["n"] == "1" * 5000 and diagnostics == []


def test_sidecar_alias_bomb_check_names_the_sidecar_and_finishes(demo):
    pdf = a_pdf(demo)
    sidecar = pdf.with_suffix(".yml")
    sidecar.write_text(f"doc_number: {LAUGHS}\n", encoding="utf-8")
    before = tree_digest(demo / "evidence")
    run = run_handbook(demo, "check", "--evidence", "--format", "json")
    assert_bounded(run)
    assert run.code == 1
    report = json.loads(run.out)
    rel = str(sidecar.relative_to(demo / "evidence"))
    assert f"{rel}:1：{ALIAS_MESSAGE}" in run.out
    path = f"evidence/{pdf.relative_to(demo / 'evidence')}"
    assert any(p["path"] == path and p["code"] == "sidecar-error" for p in report["problems"])  # the file is listed
    assert tree_digest(demo / "evidence") == before


def test_units_aliases_bomb_in_check(demo):
    units = demo / "standards" / "local" / "units.yml"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("aliases: [", f"aliases: {LAUGHS}\n    x: [", 1) if "aliases: [" in text
                     else text + f"\nbomb: {LAUGHS}\n", encoding="utf-8")
    run = run_handbook(demo, "check")
    assert_bounded(run)
    assert run.code == 1 and "standards/local/units.yml" in run.text and "十亿笑声" in run.text


def test_deep_sidecar_and_deep_city_yml(demo):
    pdf = a_pdf(demo)
    pdf.with_suffix(".yml").write_text("note: " + "[" * 300 + "]" * 300 + "\n", encoding="utf-8")
    run = run_handbook(demo, "check", "--evidence")
    assert_bounded(run)
    assert run.code == 1 and "列表或映射嵌套超过 50 层" in run.text and pdf.with_suffix(".yml").name in run.text
    city = demo / "standards" / "local" / "city.yml"
    city.write_text(city.read_text(encoding="utf-8") + "deep: " + "[" * 400 + "]" * 400 + "\n", encoding="utf-8")
    run = run_handbook(demo, "check")
    assert_bounded(run)
    assert run.code == 1 and "standards/local/city.yml" in run.text and "列表或映射嵌套超过 50 层" in run.text
    run = run_handbook(demo, "export", "--out", str(demo.parent / "out.json"))
    assert_bounded(run)


@pytest.mark.parametrize("text, line, tag", [
    ('a: !!python/object/apply:os.system ["echo owned"]\n', 1, "!!python/object/apply:os.system"),
    ("units:\n  - name: !foo 市卫健委\n", 2, "!foo"),
])
def test_a_type_tag_is_refused_in_chinese_with_its_line(text, line, tag):
    """Round one: a !!python tag was refused, but with PyYAML's English reason and an indentation hint."""
    data, diagnostics = load_yaml_text(text, "standards/local/units.yml")
    assert data is None and [d.code for d in diagnostics] == ["yaml-tag"]
    message = str(diagnostics[0])
    assert message.startswith(f"standards/local/units.yml:{line}: 错误: 不支持 YAML 标签“{tag}”")
    assert "constructor" not in message and "删掉以 ! 开头的标签" in message
