"""The JSON export, and the ``check``/``export`` commands run as a person would (subprocess)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.outputs.export import export_model
from handbook.model import (
    Finding,
    FindingState,
    Archive,
    Cell,
    EvidenceFile,
    IndicatorResult,
    IndicatorValue,
    Level,
    Problem,
    Sidecar,
    Status,
    Summary,
    Tally,
    Verdict,
    Where,
)
from handbook.load.project import load_project

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "fixtures" / "loader" / "good"

TOP_KEYS = {"schema_version", "export", "city", "kind", "review_year", "window", "today", "deadlines", "categories",
            "items", "indicators", "units", "groups", "slots", "waivers", "diagnostics"}


def _tally(*statuses: Status) -> Tally:
    tally = Tally()
    for status in statuses:
        tally.add(status)
    return tally


def make_archive() -> Archive:
    """A tiny judged archive built by hand from the fixture project (no scanner needed)."""
    project = load_project(GOOD)
    good = EvidenceFile(
        path="03/03.1-年度工作计划/2024-市爱卫办-2024年工作计划.pdf", size=1234, mtime_ns=1, sha256="ab" * 32,
        filetype="pdf", item=3, material="03.1", years=(2024,), unit="市爱卫办", unit_raw="爱卫办",
        title="2024年工作计划", pages=3, sidecar=Sidecar(doc_number="登爱卫〔2024〕3号", issued=dt.date(2024, 2, 15),
                                                          also_for=("01.1",), restricted=True),
        committer="张三", committed=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
    )
    bad = EvidenceFile(
        path="03/03.1-年度工作计划/2023-市城官局-计划.docx", size=10, mtime_ns=2, sha256="cd" * 32, filetype="docx",
        item=3, material="03.1", years=(2023,), unit=None, unit_raw="市城官局", title="计划",
        problems=[Problem("unknown-unit", "单位“市城官局”不存在", "改为“市城管局”", Level.ERROR),
                  Problem("sidecar-error", "日期“2023-13-01”无效", "写成 YYYY-MM-DD", Level.WARNING,
                          Where("03/03.1-年度工作计划/2023-市城官局-计划.yml", 4))],
    )
    cells = [
        Cell(3, "03.1", 2024, None, Status.COLLECTED, [good.path], dt.date(2026, 2, 28), owner="市爱卫办",
             supervisors=("市卫健委",)),
        Cell(3, "03.1", 2023, None, Status.REVIEW, [bad.path], dt.date(2026, 2, 28), "单位无法识别", "市爱卫办"),
        Cell(1, "01.1", None, None, Status.MISSING, [], dt.date(2026, 12, 31), owner="市政府办"),
    ]
    summary = Summary(
        overall=_tally(Status.COLLECTED, Status.REVIEW, Status.MISSING),
        by_item={3: _tally(Status.COLLECTED, Status.REVIEW), 1: _tally(Status.MISSING)},
        by_category={1: _tally(Status.COLLECTED, Status.REVIEW, Status.MISSING)},
        by_unit={"市爱卫办": _tally(Status.COLLECTED, Status.REVIEW), "市政府办": _tally(Status.MISSING)},
        by_year={2024: _tally(Status.COLLECTED), 2023: _tally(Status.REVIEW)},
    )
    rule = project.standard.indicators[1].rule
    values = {y: IndicatorValue(1, y, v, "%", str(v)) for y, v in ((2023, 20.5), (2024, 23.0), (2025, 24.1))}
    result = IndicatorResult(1, True, "≥22%或持续提高", rule, (2023, 2024, 2025), values, Verdict.PASS, "2025 年 24.1% ≥ 22%")
    archive = Archive(project, [bad, good], cells, summary, {1: result})
    archive.findings = [
        Finding("DF-2026-001", dt.date(2026, 10, 9), "暗访", "第一组", "嵩阳路农贸市场", 17, "活禽区未隔离",
                "嵩阳街道", "市市场监管局", dt.date(2026, 10, 16), dt.date(2026, 10, 15), "李四",
                photos_before=("findings/photos/DF-2026-001-前.jpg",), state=FindingState.CLOSED),
        Finding("DF-2026-002", dt.date(2026, 11, 2), "督查", "第二组", "某小区", 10, "垃圾未分类", "嵩阳街道",
                "市城管局", dt.date(2026, 11, 9), photos_before=("findings/photos/DF-2026-002-前.jpg",),
                restricted=True, state=FindingState.OVERDUE, overdue=True),
    ]
    return archive


def test_project_export_has_the_documented_keys() -> None:
    data = export_model(load_project(GOOD))
    assert set(data) == TOP_KEYS
    assert data["export"] == "project" and data["city"] == "登封市" and data["kind"] == "城市"
    assert data["window"] == [2023, 2024, 2025, 2026] and data["today"] == "2026-05-20"
    item = data["items"][2]
    assert item["number"] == 3 and item["lead_units"] == ["市爱卫办"]
    assert set(item) >= {"number", "title", "text", "category", "lead_units", "responsible_units", "groups", "materials"}
    assert item["materials"][1] == {
        "id": "03.2", "title": "各单位年度工作总结", "complete_when": "每个责任单位每年一份", "per_year": True,
        "per_unit": True, "formats": ["pdf", "docx"], "seal": False, "slot": None,
        "role": "", "each": "responsible", "timing": "year", "due": "", "due_months": 0,
    }
    by_number = {i["number"]: i for i in data["indicators"]}
    assert set(by_number[1]) >= {"number", "name", "target", "note", "rule", "years", "items", "applies", "owner"}
    assert by_number[22]["target"] == "≥80%或持续提高" and by_number[22]["target_is_local"] is True
    assert by_number[22]["rule"] == {"kind": "threshold_or_trend", "op": ">=", "value": 80.0, "unit": "%", "trend": "持续提高"}
    assert by_number[38]["owner"] == "市卫健委" and by_number[38]["years"] == 5
    assert data["units"][1] == {"name": "市卫健委", "slug": "wjw", "full_name": "登封市卫生健康委员会",
                                "aliases": ["市卫生健康委", "卫健委"], "kind": "市直部门", "parent": None}
    assert [s["key"] for s in data["slots"]] == ["work-plan", "regulations", "maps"]
    assert "files" not in data and "cells" not in data


def test_county_export_uses_the_county_wording(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(GOOD, root)
    (root / "standards/local/city.yml").write_text("city: 某县\nkind: 县\nreview_year: 2026\n", encoding="utf-8")
    (root / "standards/local/indicators.yml").unlink()
    data = export_model(load_project(root))
    indicator = next(i for i in data["indicators"] if i["number"] == 22)
    assert indicator["name"] == "城市生活污水处理率" and indicator["target"] == "≥95%"
    assert next(s for s in data["slots"] if s["key"] == "maps")["title"] == "辖区规划图和交通图"


def test_archive_export_has_files_cells_summary_and_verdicts() -> None:
    data = export_model(make_archive())
    assert set(data) == TOP_KEYS | {"files", "cells", "summary", "findings"}
    assert data["export"] == "archive"
    assert [f["path"] for f in data["files"]] == sorted(f["path"] for f in data["files"])
    good = next(f for f in data["files"] if f["filetype"] == "pdf")
    assert good["materials"] == ["03.1", "01.1"] and good["restricted"] is True
    assert good["committed"] == "2026-03-01T09:30:00+00:00" and good["years"] == [2024]
    assert good["sidecar"]["doc_number"] == "登爱卫〔2024〕3号" and good["sidecar"]["issued"] == "2024-02-15"
    assert good["sidecar"]["also_for"] == ["01.1"] and good["sidecar"]["effective"] is None
    bad = next(f for f in data["files"] if f["filetype"] == "docx")
    assert bad["sidecar"] is None
    assert bad["problems"] == [  # the shape of schema 2; the message never repeats the file's path
        {"code": "unknown-unit", "message": "单位“市城官局”不存在", "fix": "改为“市城管局”", "level": "error"},
        {"code": "sidecar-error", "message": "说明文件第 4 行：日期“2023-13-01”无效", "fix": "写成 YYYY-MM-DD", "level": "warning"},
    ]
    assert [(c["item"], c["material"], c["year"]) for c in data["cells"]] == [(1, "01.1", None), (3, "03.1", 2023), (3, "03.1", 2024)]
    assert data["cells"][1]["status"] == "待核" and data["cells"][1]["deadline"] == "2026-02-28"
    assert data["summary"]["overall"]["total"] == 3 and data["summary"]["overall"]["已收集"] == 1
    assert list(data["summary"]["by_item"]) == ["1", "3"] and list(data["summary"]["by_year"]) == ["2023", "2024"]
    indicator = next(i for i in data["indicators"] if i["number"] == 1)
    assert indicator["verdict"] == "达标" and indicator["judged_years"] == [2023, 2024, 2025]
    assert {y: v["value"] for y, v in indicator["values"].items()} == {"2023": 20.5, "2024": 23.0, "2025": 24.1}
    assert "verdict" not in next(i for i in data["indicators"] if i["number"] == 22)


def test_export_round_trips_through_json_and_is_deterministic() -> None:
    first = json.dumps(export_model(make_archive()), ensure_ascii=False, sort_keys=False)
    second = json.dumps(export_model(make_archive()), ensure_ascii=False, sort_keys=False)
    assert first == second
    assert json.loads(first) == export_model(make_archive())


def test_export_carries_the_diagnostics(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(GOOD, root)
    path = root / "standards/local/waivers.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("嵩阳街道", "嵩杨街道"), encoding="utf-8")
    data = export_model(load_project(root))
    assert [(d["file"], d["line"], d["level"], d["code"]) for d in data["diagnostics"]] == [
        ("standards/local/waivers.yml", 3, "error", "unknown-unit")
    ]
    json.dumps(data)


def test_archive_export_says_who_owes_and_who_supervises_and_the_time_rule() -> None:
    data = export_model(make_archive())
    assert data["schema_version"] == "2"
    by_year = {c["year"]: c for c in data["cells"] if c["material"] == "03.1"}
    assert by_year[2024]["owner"] == "市爱卫办" and by_year[2024]["supervisors"] == ["市卫健委"]
    assert by_year[2023]["supervisors"] == []
    material = data["items"][0]["materials"][0]
    assert {k: material[k] for k in ("role", "each", "timing", "due", "due_months")} == {
        "role": "", "each": "", "timing": "cycle", "due": "", "due_months": 0}


def test_archive_export_carries_the_findings_and_keeps_restricted_photos_out() -> None:
    closed, overdue = export_model(make_archive())["findings"]
    assert closed["id"] == "DF-2026-001" and closed["state"] == "已销号" and closed["on_time"] is True
    assert closed["found"] == "2026-10-09" and closed["fixed"] == "2026-10-15" and closed["field_unit"] == "市市场监管局"
    assert closed["photos_before"] == ["findings/photos/DF-2026-001-前.jpg"]
    assert overdue["state"] == "逾期" and overdue["overdue"] is True and overdue["on_time"] is None
    assert overdue["restricted"] is True and overdue["photos_before"] == []  # 不公开: never in an output


def test_schema_file_is_valid_json_and_names_every_top_key() -> None:
    schema_path = ROOT / "hooks/handbook/outputs/schema/handbook.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert TOP_KEYS | {"files", "cells", "summary", "findings"} <= set(schema["properties"])
    assert set(schema["required"]) <= TOP_KEYS


# --------------------------------------------------------------------------- the commands


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "handbook", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_check_exits_0_on_a_good_project() -> None:
    result = run_cli("--root", str(GOOD), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("结论：通过。标准与本市方案：无错误、")
    assert "共有 4 个事项，国家标准（2021版）应为 45 个" in result.stdout  # the reduced standard warns


def test_check_exits_1_and_lists_errors_first(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(GOOD, root)
    units = root / "standards/local/units.yml"
    units.write_text(units.read_text(encoding="utf-8").replace("parent: 市卫健委", "parent: 市卫建委"), encoding="utf-8")
    assignments = root / "standards/local/assignments.yml"
    assignments.write_text(assignments.read_text(encoding="utf-8").replace("市城管局, 嵩阳街道]", "市城官局, 嵩阳街道]"), encoding="utf-8")
    result = run_cli("--root", str(root), "check")
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "standards/local/assignments.yml:13: 错误: 单位“市城官局”不在 units.yml 中 — 是否应为“市城管局”？" in out
    assert "standards/local/units.yml:17: 错误: 单位“市爱卫办”的上级单位“市卫建委”不存在" in out
    assert out.index("错误（2）") < out.index("警告（3）")
    assert out.startswith("结论：未通过。标准与本市方案：2 个错误、3 个警告。请按下面每一条的改法修改后重新提交。\n")


def test_check_json_format(tmp_path: Path) -> None:
    result = run_cli("--root", str(GOOD), "check", "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["ok"] is True and report["errors"] == []
    assert report["counts"]["items"] == 4 and len(report["warnings"]) == 3


def test_export_command_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "out" / "model.json"
    result = run_cli("--root", str(GOOD), "export", "--project-only", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["export"] == "project" and len(data["items"]) == 4
    assert not list(out.parent.glob(".model.json.*"))  # no temp file left behind


def test_export_command_prints_to_stdout() -> None:
    result = run_cli("--root", str(GOOD), "export", "--no-git")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["city"] == "登封市" and data["export"] in ("project", "archive")


# --------------------------------------------------------------------------- the schema matches the export

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _type_ok(value, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def check_schema(value, schema: dict, root: dict, path: str = "$") -> list[str]:
    """A small validator for the subset of draft 2020-12 the export schema uses (no library here)."""
    if "$ref" in schema:
        return check_schema(value, root["$defs"][schema["$ref"].rsplit("/", 1)[-1]], root, path)
    if "oneOf" in schema:
        ok = [s for s in schema["oneOf"] if not check_schema(value, s, root, path)]
        return [] if len(ok) == 1 else [f"{path}: matches {len(ok)} of oneOf"]
    errors: list[str] = []
    types = schema.get("type")
    if types and not any(_type_ok(value, t) for t in ([types] if isinstance(types, str) else types)):
        return [f"{path}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in enum")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} != const")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if key in props:
                errors += check_schema(item, props[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += check_schema(item, schema["additionalProperties"], root, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += check_schema(item, schema["items"], root, f"{path}[{index}]")
    return errors


@pytest.mark.parametrize("which", ["project", "archive"])
def test_export_matches_the_json_schema(which: str) -> None:
    schema = json.loads((ROOT / "hooks/handbook/outputs/schema/handbook.schema.json").read_text(encoding="utf-8"))
    data = export_model(make_archive() if which == "archive" else load_project(GOOD))
    assert check_schema(json.loads(json.dumps(data)), schema, schema) == []


def test_schema_checker_can_fail() -> None:
    schema = json.loads((ROOT / "hooks/handbook/outputs/schema/handbook.schema.json").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(export_model(make_archive())))
    data["cells"][0]["status"] = "done"
    data["units"][0]["liaison"] = "张三 138…"
    del data["items"][0]["materials"][0]["seal"]
    errors = check_schema(data, schema, schema)
    assert len(errors) == 3, errors
