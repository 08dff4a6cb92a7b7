"""The review package is skipped when its inputs are unchanged (outputs/package/reuse.py)."""

from __future__ import annotations

import dataclasses
import json

import pytest

import handbook.outputs.package as pkg
from handbook.outputs import reuse as generic_reuse
from handbook.outputs.package import reuse
from test_package import make_archive


@pytest.fixture
def builds(monkeypatch):
    """How many times the package was really built (not reused)."""
    calls = []
    real = pkg._Build.run

    def counting(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(pkg._Build, "run", counting)
    return calls


def _build(archive, out, **kwargs):
    return pkg.build_package(archive, out, progress=lambda *a: None, **kwargs)


def test_unchanged_inputs_reuse_the_package_without_writing_it(tmp_path, builds):
    archive, out = make_archive(tmp_path), tmp_path / "out"
    first = _build(archive, out)
    written = first.zip_path.stat().st_mtime_ns
    second = _build(archive, out)
    assert builds == [1]
    assert second.zip_path == first.zip_path and second.zip_sha256 == first.zip_sha256
    assert second.published.keys() == first.published.keys()
    assert first.zip_path.stat().st_mtime_ns == written
    stamp = json.loads((out / "package-stamp.json").read_text(encoding="utf-8"))
    assert str(first.zip_path) in stamp["outputs"]


def test_a_touched_file_with_the_same_bytes_is_no_change(tmp_path, builds):
    archive, out = make_archive(tmp_path), tmp_path / "out"
    _build(archive, out)
    archive.files[0] = dataclasses.replace(archive.files[0], mtime_ns=archive.files[0].mtime_ns + 10**9)
    _build(archive, out)
    assert builds == [1]


@pytest.mark.parametrize("change", ["title", "pages", "plan", "removed file"])
def test_a_changed_input_builds_again(tmp_path, builds, change):
    archive, out = make_archive(tmp_path), tmp_path / "out"
    _build(archive, out)
    if change == "title":
        archive.files[0].title = "改过的标题"
    elif change == "pages":
        archive.files[0].pages = 99
    elif change == "plan":
        archive.project.plan.city = "新密市"
    else:
        archive.files.pop()
    _build(archive, out)
    assert builds == [1, 1]


def test_a_deleted_or_replaced_output_builds_again(tmp_path, builds):
    archive, out = make_archive(tmp_path), tmp_path / "out"
    first = _build(archive, out)
    first.zip_path.unlink()
    second = _build(archive, out)
    assert builds == [1, 1] and second.zip_path.exists()
    next(iter(second.published.values())).write_bytes(b"edited by hand")
    _build(archive, out)
    assert builds == [1, 1, 1]


@pytest.mark.parametrize("stamp", ["{not json", "[]", '{"format": 1, "key": 7}'])
def test_an_unreadable_stamp_means_build(tmp_path, builds, stamp):
    archive, out = make_archive(tmp_path), tmp_path / "out"
    _build(archive, out)
    (out / "package-stamp.json").write_text(stamp, encoding="utf-8")
    _build(archive, out)
    assert builds == [1, 1]


def test_reuse_can_be_turned_off(tmp_path, builds):
    archive, out = make_archive(tmp_path), tmp_path / "out"
    _build(archive, out)
    _build(archive, out, reuse_unchanged=False)
    assert builds == [1, 1]


def test_the_key_ignores_mtime_but_not_the_code_version(tmp_path, monkeypatch):
    archive = make_archive(tmp_path)
    key = reuse.package_key(archive, None)
    archive.files[0] = dataclasses.replace(archive.files[0], mtime_ns=1)
    assert reuse.package_key(archive, None) == key
    monkeypatch.setattr(generic_reuse, "code_version", lambda: "another version")
    assert reuse.package_key(archive, None) != key
