"""The national material checklists (standards/national/checklists.yml) are complete and consistent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHECKLISTS = ROOT / "standards" / "national" / "checklists.yml"
SLOTS = ROOT / "standards" / "national" / "slots.yml"

ALLOWED_FORMATS = {"pdf", "ofd", "jpg", "png", "docx", "doc", "xlsx", "xls", "mp4", "zip"}
FIELDS = {"id", "title", "complete_when", "per_year", "per_unit", "formats", "seal", "slot",
          "role", "timing", "due", "due_months"}
REQUIRED_FIELDS = {"id", "title", "complete_when", "per_year", "per_unit", "formats", "seal"}
PER_UNIT_RULES = {True, False, "responsible", "streets", "members"}
# The fixed slot keys of standards/README.md, used when slots.yml is not there.
FIXED_SLOT_KEYS = {
    "recommendation", "work-report", "work-plan", "implementation-plan", "regulations", "office",
    "area-population", "economy", "divisions", "maps", "other",
}
ID_PATTERN = re.compile(r"^(\d{2})\.([1-9]\d*)$")


def load_checklists(path: Path = CHECKLISTS) -> dict[int, list[dict]]:
    """item number → its materials, in file order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) == {"checklists"}, f"{path}: only the key 'checklists' is expected"
    result: dict[int, list[dict]] = {}
    for entry in data["checklists"]:
        assert set(entry) == {"item", "materials"}, entry
        assert entry["item"] not in result, f"item {entry['item']} listed twice"
        result[entry["item"]] = entry["materials"]
    return result


def slot_keys() -> set[str]:
    if not SLOTS.exists():
        return FIXED_SLOT_KEYS
    return {slot["key"] for slot in yaml.safe_load(SLOTS.read_text(encoding="utf-8"))["slots"]}


def all_materials(checklists: dict[int, list[dict]]) -> list[dict]:
    return [m for number in sorted(checklists) for m in checklists[number]]


def by_id(checklists: dict[int, list[dict]]) -> dict[str, dict]:
    return {m["id"]: m for m in all_materials(checklists)}


@pytest.fixture(scope="module")
def checklists() -> dict[int, list[dict]]:
    return load_checklists()


def test_every_item_has_at_least_two_materials(checklists):
    assert sorted(checklists) == list(range(1, 46))
    thin = {n: len(ms) for n, ms in checklists.items() if len(ms) < 2}
    assert not thin, f"items with fewer than 2 materials: {thin}"


def test_average_is_about_four(checklists):
    total = len(all_materials(checklists))
    assert total / 45 >= 3.5, total


def id_problems(checklists: dict[int, list[dict]]) -> list[str]:
    """Ids that do not match their item or are not consecutive from 1."""
    problems = []
    for number, materials in checklists.items():
        ids = [m["id"] for m in materials]
        expected = [f"{number:02d}.{k}" for k in range(1, len(materials) + 1)]
        if ids != expected or not all(isinstance(i, str) and ID_PATTERN.match(i) for i in ids):
            problems.append(f"item {number}: {ids} != {expected}")
    return problems


def test_ids_match_item_and_are_consecutive(checklists):
    assert id_problems(checklists) == []


def test_fields_and_types(checklists):
    for material in all_materials(checklists):
        mid = material["id"]
        assert REQUIRED_FIELDS <= set(material) <= FIELDS, f"{mid}: fields {sorted(material)}"
        for flag in ("per_year", "seal"):
            assert isinstance(material[flag], bool), f"{mid}.{flag} must be true/false"
        assert material["per_unit"] in PER_UNIT_RULES, f"{mid}.per_unit must be true/false or a rule"
        for text in ("title", "complete_when"):
            assert isinstance(material[text], str) and material[text].strip(), f"{mid}.{text} is empty"
        assert material["formats"], f"{mid}: no formats"
        assert set(material["formats"]) <= ALLOWED_FORMATS, f"{mid}: {material['formats']}"
        assert len(set(material["formats"])) == len(material["formats"]), f"{mid}: duplicate format"


def test_titles_are_unique_within_an_item(checklists):
    for number, materials in checklists.items():
        titles = [m["title"] for m in materials]
        assert len(titles) == len(set(titles)), f"item {number}: duplicate titles"


def test_slots_exist_and_are_fed(checklists):
    keys = slot_keys()
    used = {m["slot"] for m in all_materials(checklists) if m.get("slot")}
    assert used <= keys, f"unknown slots: {used - keys}"
    unfed = keys - used
    assert not unfed, f"slots fed by no material: {sorted(unfed)}"


def test_slot_materials_are_uploadable(checklists):
    """The national upload takes PDF or OFD only, so a slot's material must accept a PDF."""
    for material in all_materials(checklists):
        if material.get("slot"):
            assert "pdf" in material["formats"], material["id"]


def test_numbering_other_helpers_rely_on(checklists):
    by_id = {m["id"]: m for m in all_materials(checklists)}
    plan, summary, self_disposal = by_id["03.1"], by_id["03.2"], by_id["26.4"]
    assert "计划" in plan["title"] and plan["per_year"] and plan["slot"] == "work-plan"
    assert "总结" in summary["title"] and summary["per_year"]
    assert "自行处置" in self_disposal["title"]
    assert by_id["01.1"]["slot"] == "regulations" and by_id["02.4"]["slot"] == "office"


def test_per_unit_materials_are_the_ones_the_seeds_ask_of_each_unit(checklists):
    """Every per-unit material multiplies cells by units; only those the seeds ask of each unit, by rule."""
    per_unit = {m["id"]: m["per_unit"] for m in all_materials(checklists) if m["per_unit"]}
    assert per_unit == {
        "02.7": True, "03.8": True, "18.1": True,  # every responsible unit of the item
        "02.11": "members", "03.10": "members", "03.11": "members", "03.12": "members",  # 专班, 方案, 台账, 培训
        "02.6": "streets", "02.8": "streets", "18.2": "streets", "18.3": "streets", "19.3": "streets",
        "45.8": "streets",
    }


def test_formal_documents_expect_a_seal(checklists):
    for material in all_materials(checklists):
        if material.get("slot") in {"regulations", "work-plan", "implementation-plan", "office"}:
            assert material["seal"], material["id"]


def test_file_has_no_duplicate_keys():
    """safe_load silently keeps the last duplicate; the project loader would refuse it, so check here."""

    class StrictLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        duplicates = {k for k in keys if keys.count(k) > 1}
        assert not duplicates, f"line {node.start_mark.line + 1}: duplicate keys {duplicates}"
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    yaml.load(CHECKLISTS.read_text(encoding="utf-8"), Loader=StrictLoader)


def test_id_check_catches_gaps_and_wrong_items(tmp_path):
    """The id check fails on real defects (a gap, an id of another item, an unquoted number)."""
    broken = tmp_path / "checklists.yml"
    broken.write_text(
        "checklists:\n"
        '  - {item: 1, materials: [{id: "01.2"}]}\n'
        '  - {item: 2, materials: [{id: "02.1"}, {id: "03.2"}]}\n'
        "  - {item: 4, materials: [{id: 4.1}]}\n"
        '  - {item: 5, materials: [{id: "05.1"}, {id: "05.2"}]}\n',
        encoding="utf-8",
    )
    problems = id_problems(load_checklists(broken))
    assert [p.split(":")[0] for p in problems] == ["item 1", "item 2", "item 4"]


def test_sealed_materials_say_where_the_seal_is(checklists):
    """A seal sits on a printed-and-scanned copy: a sealed material accepts PDF, its text names the seal,
    and where it also accepts a spreadsheet the text says the sealed PDF counts and the sheet is extra."""
    for material in all_materials(checklists):
        mid, text = material["id"], material["complete_when"]
        if not material["seal"]:
            continue
        assert "pdf" in material["formats"], mid
        assert "章" in text, f"{mid}: seal: true, but complete_when does not mention the seal"
        if {"xlsx", "xls"} & set(material["formats"]):
            assert re.search(r"章的 PDF.*为准", text) and "xlsx" in text, f"{mid}: say that the sealed PDF counts and the sheet is extra"


def test_per_year_materials_ask_for_one_year(checklists):
    """A per-year material is one cell per window year; a five-year series is one document (39.2)."""
    for material in all_materials(checklists):
        if material["per_year"]:
            assert not re.search(r"近五年|近5年|连续五个", material["complete_when"]), material["id"]
    assert by_id(checklists)["39.2"]["per_year"] is False


def test_titles_and_texts_agree_where_they_once_did_not(checklists):
    vector_plan = by_id(checklists)["45.5"]
    assert "计划" in vector_plan["title"] and "总结" in vector_plan["title"]
    assert "发票" not in vector_plan["complete_when"]
    assert "发票" in by_id(checklists)["45.1"]["complete_when"]  # invoices prove the funding of 45.1


@pytest.mark.parametrize(
    ("item", "words"),
    [(1, ("督导检查",)), (2, ("目标责任书",)), (3, ("简报", "大事记"))],
)
def test_domain_materials_are_listed(checklists, item, words):
    """domain.md's per-item lists: leaders' inspections (1), responsibility letters (2), 简报 and 大事记 (3)."""
    titles = [m["title"] for m in checklists[item]]
    assert any(all(w in title for w in words) for title in titles), titles

