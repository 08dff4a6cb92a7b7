"""handbook.util.digest: the key of every cache of the judged model's outputs depends on values only."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from handbook.model import EvidenceFile, Level, Problem, Where
from handbook.util.digest import Shared, value_digest
from test_site_render import _file

HOOKS = Path(__file__).resolve().parents[1] / "hooks"


def _two_equal_files():
    one = _file("evidence/03/03.1-年度工作计划/2024-市卫健委-工作计划.pdf", unit="市卫健委",
                problems=[Problem("bad-name", "文件名不合格", "改名", Level.WARNING, place=Where("x.pdf", 3))])
    # The same values in other objects, the unit a string built at run time (not the same object).
    other = dataclasses.replace(one, unit="".join(["市卫", "健委"]), problems=[dataclasses.replace(one.problems[0])])
    assert other.unit is not one.unit
    return one, other


def test_equal_values_give_equal_digests_and_any_field_changes_it():
    one, other = _two_equal_files()
    assert value_digest(("page", [one])) == value_digest(("page", [other]))
    for change in ({"title": "另一个标题"}, {"size": one.size + 1}, {"years": (2025,)}, {"mtime_ns": 1}):
        assert value_digest(("page", [dataclasses.replace(one, **change)])) != value_digest(("page", [one]))
    moved = dataclasses.replace(one, problems=[dataclasses.replace(one.problems[0], place=Where("x.pdf", 4))])
    assert value_digest([moved]) != value_digest([one])  # a nested dataclass's field counts too


def test_the_type_counts_not_only_the_values():
    @dataclasses.dataclass
    class A:
        x: int

    @dataclasses.dataclass
    class B:
        x: int

    assert value_digest(A(1)) == value_digest(A(1)) != value_digest(B(1))


def test_a_shared_kind_is_digested_once_by_value_and_without_leaves_a_field_out():
    one, other = _two_equal_files()
    shared = Shared(EvidenceFile)
    first = value_digest(("item", [one]), shared)
    assert value_digest(("unit", [one]), shared) == value_digest(("unit", [other]), Shared(EvidenceFile))
    assert first == value_digest(("item", [one]), Shared(EvidenceFile))
    # Kept by identity: a file changed after its digest must not be digested with the same Shared again.
    assert value_digest(("item", [dataclasses.replace(one, title="新")]), shared) != first
    moved = dataclasses.replace(one, mtime_ns=7)
    assert value_digest([one], Shared(EvidenceFile, ("mtime_ns",))) == value_digest([moved], Shared(EvidenceFile, ("mtime_ns",)))
    assert value_digest([one], Shared(EvidenceFile)) != value_digest([moved], Shared(EvidenceFile))


def test_the_digest_is_the_same_in_another_process_with_another_hash_seed():
    one, _ = _two_equal_files()
    code = ("from test_site_render import _file; from handbook.model import Level, Problem, Where; "
            "from handbook.util.digest import value_digest; "
            "f = _file('evidence/03/03.1-年度工作计划/2024-市卫健委-工作计划.pdf', unit='市卫健委', problems=["
            "Problem('bad-name', '文件名不合格', '改名', Level.WARNING, place=Where('x.pdf', 3))]); "
            "print(value_digest(('page', [f])).hex())")
    env = {**os.environ, "PYTHONHASHSEED": "12345",
           "PYTHONPATH": os.pathsep.join([str(HOOKS), str(Path(__file__).parent)])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == value_digest(("page", [one])).hex()
