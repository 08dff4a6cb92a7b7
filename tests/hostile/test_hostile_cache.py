"""A cache that cannot lie (issue 17, defects 7 and 8) and files that are someone else's (hard links)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from conftest import a_pdf, assert_bounded, run_handbook, tree_digest

from handbook.load.project import load_project
from handbook.render.context import is_published
from handbook.scan.cache import CACHE_NAME, record_linked
from handbook.scan.evidence import scan_evidence


def scan(root: Path):
    return scan_evidence(load_project(root), root / "evidence", cache_dir=root / ".cache", git=False)


def by_path(files) -> dict:
    return {f.path: f for f in files}


def link_like_the_build(root: Path, files) -> list[str]:
    """What the build does: every published file hard-linked into site/evidence/ (ctime and link count change)."""
    paths = [f.path for f in files if is_published(f)]
    for path in paths:
        target = root / "site" / "evidence" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(root / "evidence" / path, target)
    return paths


def test_a_rewrite_that_restores_size_and_mtime_is_seen(demo):
    pdf = a_pdf(demo)
    rel = str(pdf.relative_to(demo / "evidence"))
    first = scan(demo)
    before = pdf.stat()
    data = bytearray(pdf.read_bytes())
    data[-20] ^= 0x01  # one byte flipped near the end (the trailer), same size
    pdf.write_bytes(bytes(data))
    os.utime(pdf, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -d: the old mtime back
    assert (pdf.stat().st_size, pdf.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    second = scan(demo)
    assert second.stats.hashed == 1
    assert by_path(second)[rel].sha256 != by_path(first)[rel].sha256


def test_no_change_rebuild_after_linking_hashes_nothing(demo):
    first = scan(demo)
    paths = link_like_the_build(demo, first)
    assert len(paths) > 50
    assert record_linked(demo / ".cache", demo / "evidence", paths) == len(paths)
    again = scan(demo)
    assert again.stats.hashed == 0
    assert not any(p.code == "foreign-file" for f in again for p in f.problems)  # our own links are not foreign
    assert [f.path for f in again if is_published(f)] == paths


def test_without_recording_the_links_the_scan_reads_again_rather_than_trust(demo):
    first = scan(demo)
    paths = link_like_the_build(demo, first)
    again = scan(demo)
    assert again.stats.hashed == len(paths) > 50  # their ctime changed: read again, never trusted


@pytest.mark.parametrize("content", [
    b"[]", b'{"version": 3, "files": {}}', b"\x00\xff garbage", b'{"version": 4, "files": []}',
    b'{"version": 4, "files": {"a.pdf": {"size": "1"}}}', b"[" * 100_000,
    b'{"version": 4, "files": {"a.pdf": {"size": 1, "mtime_ns": 1, "sha256": "x", "filetype": "pdf", '
    b'"problems": [{"code": "c", "message": "m", "fix": "f", "level": "BOGUS"}], "ino": 1, "ctime_ns": 1, "nlink": 1}}}',
], ids=["list", "old-version", "garbage", "files-list", "bad-entry", "deep", "bad-level"])
def test_a_cache_of_the_wrong_shape_is_discarded_with_a_warning(demo, content, caplog):
    first = scan(demo)
    (demo / ".cache" / CACHE_NAME).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="handbook.scan.cache"):
        again = scan(demo)
    assert again.stats.hashed == first.stats.hashed and again.stats.cache_hits == 0
    assert [r.getMessage() for r in caplog.records if "扫描缓存" in r.getMessage() and "已弃用" in r.getMessage()]
    assert json.loads((demo / ".cache" / CACHE_NAME).read_text(encoding="utf-8"))["version"] == 4  # rewritten (4: messages without the path)


def test_wrong_cache_in_check_and_export_no_traceback(demo):
    cache = demo / ".cache" / "handbook"
    cache.mkdir(parents=True)
    (cache / CACHE_NAME).write_text("[]", encoding="utf-8")
    baseline = run_handbook(demo, "check", "--evidence")
    assert_bounded(baseline)
    assert baseline.code == 1 and "（11 个错误）" in baseline.out  # the demo's own errors, nothing else
    assert "evidence-scan.json 无效，已弃用并重新读取全部文件（top level is list, not a mapping）" in baseline.err
    run = run_handbook(demo, "export", "--out", str(demo.parent / "out.json"))
    assert_bounded(run)
    assert run.code == 0


def test_a_file_hard_linked_from_outside_is_listed_never_published(demo, tmp_path):
    outside = tmp_path / "home" / "私人文件.pdf"
    outside.parent.mkdir()
    outside.write_bytes(a_pdf(demo).read_bytes())
    folder = a_pdf(demo).parent
    name = a_pdf(demo).name.replace(".pdf", "（补充）.pdf")
    os.link(outside, folder / name)
    before = tree_digest(demo / "evidence")
    files = by_path(scan(demo))
    linked = files[str((folder / name).relative_to(demo / "evidence"))]
    assert [(p.place.file, p.message) for p in linked.problems if p.code == "foreign-file"] == [(linked.path,
        "这个文件是硬链接，另有 1 个名字指向同一份内容（可能在 evidence/ 以外）；已列出，不发布，"
        "因为改动任一处都会改动另一处")]
    assert not is_published(linked)
    assert tree_digest(demo / "evidence") == before
