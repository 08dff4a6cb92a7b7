"""The supplier model's messages (load/suppliers.py): each names the file and line, what is wrong and the
fix, with the nearest valid value for a typo. Run on a copy of the demo's standards with one edit each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handbook.load.project import load_project

ROOT = Path(__file__).resolve().parent.parent
UNITS_KEY_LINE = 22  # the line of "units:" in the demo's standards/local/units.yml, counted by hand


@pytest.fixture()
def project_root(tmp_path):
    shutil.copytree(ROOT / "standards", tmp_path / "standards")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once; returns the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _by_code(project, code: str) -> list[str]:
    return [str(d) for d in project.diagnostics if d.code == code]


def test_the_demo_plan_loads_without_supplier_warnings(project_root):
    project = load_project(project_root)
    codes = {d.code for d in project.diagnostics}
    assert not codes & {"unmapped-role", "unused-role", "no-roles", "unknown-unit"}


def test_a_role_typo_names_the_unit_line_and_the_nearest_role(project_root):
    units = project_root / "standards" / "local" / "units.yml"
    line = _edit(units, "    roles: [市场监管]\n    liaison: \"\"\n    accounts: [\"@dengfeng/scjg\"]",
                 "    roles: [市场监督]\n    liaison: \"\"\n    accounts: [\"@dengfeng/scjg\"]")
    project = load_project(project_root)
    unused = _by_code(project, "unused-role")
    assert len(unused) == 1
    assert unused[0].startswith(f"standards/local/units.yml:{line - 5}:")  # the unit's "- name:" line
    assert "单位“市市场监管局”的职责领域“市场监督”没有任何材料用到" in unused[0]
    assert "市场监管" in unused[0].split(" — ")[1]  # the nearest role the materials use
    unmapped = _by_code(project, "unmapped-role")
    assert len(unmapped) == 1
    assert unmapped[0].startswith(f"standards/local/units.yml:{UNITS_KEY_LINE}:")  # the roles live in that list
    assert "职责领域“市场监管”没有对应单位" in unmapped[0]
    assert "roles: [市场监管]" in unmapped[0]  # the fix says what to write
    assert "是否应为“市场监督”" in unmapped[0]  # and points at the near miss


def test_an_unknown_supplier_unit_suggests_the_nearest_unit(project_root):
    assignments = project_root / "standards" / "local" / "assignments.yml"
    line = _edit(assignments, '  "04.4": 市资源规划局', '  "04.4": 市资源规划据')
    project = load_project(project_root)
    found = _by_code(project, "unknown-unit")
    assert len(found) == 1
    assert found[0].startswith(f"standards/local/assignments.yml:{line}:")
    assert "供给单位“市资源规划据”不在 units.yml 中" in found[0]
    assert "市资源规划局" in found[0].split(" — ")[1]


def test_an_unknown_supplier_material_suggests_the_nearest_id(project_root):
    assignments = project_root / "standards" / "local" / "assignments.yml"
    line = _edit(assignments, '  "04.4": 市资源规划局', '  "04.44": 市资源规划局')
    project = load_project(project_root)
    found = _by_code(project, "unknown-material")
    assert len(found) == 1
    assert found[0].startswith(f"standards/local/assignments.yml:{line}:")
    assert "“04.44”在材料清单中不存在" in found[0]
    assert "04.4" in found[0].split(" — ")[1]


def test_a_plan_without_roles_loads_with_one_clear_warning(project_root):
    units = project_root / "standards" / "local" / "units.yml"
    text = "\n".join(line for line in units.read_text(encoding="utf-8").splitlines()
                     if not line.strip().startswith("roles:"))
    units.write_text(text + "\n", encoding="utf-8")
    project = load_project(project_root)
    found = _by_code(project, "no-roles")
    assert len(found) == 1
    assert found[0].startswith(f"standards/local/units.yml:{UNITS_KEY_LINE}:")
    assert "没有任何单位写 roles" in found[0] and "roles: [市场监管]" in found[0]
    assert not _by_code(project, "unmapped-role")


# --------------------------------------------------------------------------- time rules (load/checklists.py)

CHECKLISTS = ("standards", "national", "checklists.yml")
REVIEW_YEAR = "        per_unit: false\n        timing: review_year\n"


def test_a_timing_typo_names_the_line_and_the_nearest_timing(project_root):
    path = project_root.joinpath(*CHECKLISTS)
    line = _edit(path, REVIEW_YEAR, "        per_unit: false\n        timing: review_yaer\n") + 1
    found = _by_code(load_project(project_root), "bad-timing")
    assert len(found) == 1
    assert found[0].startswith(f"standards/national/checklists.yml:{line}:")
    assert "timing“review_yaer”无效" in found[0]
    assert "review_year" in found[0].split(" — ")[1]


def test_a_timing_that_contradicts_per_year_says_which_to_write(project_root):
    path = project_root.joinpath(*CHECKLISTS)
    line = _edit(path, REVIEW_YEAR, "        per_unit: false\n        timing: completed_year\n") + 1
    found = _by_code(load_project(project_root), "bad-timing")
    assert len(found) == 1
    assert found[0].startswith(f"standards/national/checklists.yml:{line}:")
    assert "timing: completed_year 与 per_year: false 矛盾" in found[0]
    assert "per_year 写 true" in found[0]


def test_a_due_date_on_a_review_year_material_is_warned_as_unused(project_root):
    path = project_root.joinpath(*CHECKLISTS)
    line = _edit(path, REVIEW_YEAR, REVIEW_YEAR + '        due: "03-31"\n') + 2
    found = _by_code(load_project(project_root), "unused-due")
    assert len(found) == 1
    assert found[0].startswith(f"standards/national/checklists.yml:{line}:")
    assert "timing: review_year 时不起作用" in found[0] and found[0].endswith("删去 due")


def test_a_badly_written_due_date_shows_the_format(project_root):
    path = project_root.joinpath(*CHECKLISTS)
    line = _edit(path, REVIEW_YEAR, REVIEW_YEAR + '        due: "3月31日"\n') + 2
    found = _by_code(load_project(project_root), "bad-due")
    assert len(found) == 1
    assert found[0].startswith(f"standards/national/checklists.yml:{line}:")
    assert '"03-31"' in found[0]
