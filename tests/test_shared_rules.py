"""The helpers that had drifted apart, merged into one each (issue 14): one test per rule they encode."""

from __future__ import annotations

from handbook.model import IMAGE_TYPES, material_key
from handbook.scan.content import EXPECTED
from handbook.util.workbooks import sheet_name


def test_sheet_names_follow_excels_rules():
    used: set[str] = set()
    assert sheet_name("市城管局", used) == "市城管局"
    assert sheet_name("市城管局", used) == "市城管局-2"  # one rule everywhere: -2, never ~2
    assert sheet_name("A/B:C*D?[E]\\F", used) == "A_B_C_D__E__F"
    assert sheet_name("'引号'", used) == "引号"
    assert sheet_name("", used) == "Sheet"


def test_sheet_names_are_unique_without_regard_to_case_and_stay_within_31():
    used: set[str] = set()
    long = "登封市" + "甲" * 40
    first, second = sheet_name(long, used), sheet_name(long, used)
    assert len(first) == 31 and len(second) == 31 and second.endswith("-2") and first != second
    assert sheet_name("Abc", used) == "Abc" and sheet_name("ABC", used) == "ABC-2"


def test_material_ids_sort_by_number_and_bad_ids_last():
    ids = ["03.10", "bad", "03.2", "12.1", "", None, "3.x"]
    assert sorted(ids, key=material_key) == ["03.2", "03.10", "12.1", "bad", "", None, "3.x"]


def test_one_image_set_and_every_image_extension_is_content_checked():
    assert {"jpg", "jpeg", "png", "tif", "tiff", "webp", "gif", "bmp"} == IMAGE_TYPES
    assert EXPECTED["jpeg"] == frozenset({"jpg"}) and EXPECTED["tiff"] == frozenset({"tif"})
    assert EXPECTED["png"] == frozenset({"png"})
