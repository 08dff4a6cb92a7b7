"""The liaison guide's file-name examples, checked against the real parser and the shipped unit list.

A guide that calls a name correct while the check rejects it teaches 40 departments the wrong thing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handbook.scan import names as fn
from handbook.load.project import load_project

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")


def _examples(heading: str) -> list[str]:
    section = GUIDE.split(f"### {heading}", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)


@pytest.fixture(scope="module")
def plan():
    return load_project(ROOT).plan


@pytest.mark.parametrize("name", _examples("正确的例子"))
def test_right_examples_parse_with_a_known_unit(name, plan):
    parts = fn.parse_file_name(name)
    assert parts.issue is None, (name, parts.detail)
    assert plan.resolve_unit(parts.unit_raw) is not None, f"{name}: 单位“{parts.unit_raw}”不在 units.yml 中"


@pytest.mark.parametrize("name", _examples("错误的例子"))
def test_wrong_examples_are_caught(name, plan):
    parts = fn.parse_file_name(name)
    unit_known = parts.issue is None and plan.resolve_unit(parts.unit_raw) is not None
    wrong_format = parts.ext not in ("pdf", "ofd")
    marked_noise = "最终版" in name  # the guide says it is accepted but the words stay in the index
    assert not unit_known or wrong_format or marked_noise, name


def test_there_are_examples_of_both_kinds():
    assert len(_examples("正确的例子")) >= 3 and len(_examples("错误的例子")) >= 5
