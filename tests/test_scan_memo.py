"""The serve session's scan memo (handbook.scan.memo): every scan with it gives exactly the files a scan
without it gives, on the demo tree and after each kind of change, and it re-checks only what changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from handbook.load.project import load_project
from handbook.scan.evidence import scan_evidence
from handbook.scan.memo import FileMemo

ROOT = Path(__file__).resolve().parents[1]
PLAN_FOLDER = "03-年度计划与卫生创建/03.1-年度爱国卫生工作计划"


@pytest.fixture
def demo(tmp_path):
    shutil.copytree(ROOT / "standards", tmp_path / "standards")
    shutil.copytree(ROOT / "evidence", tmp_path / "evidence")
    return tmp_path


def _scans(root: Path, memo: FileMemo):
    """(with the memo, without it) for the tree as it is now."""
    project = load_project(root)
    cache = root / ".cache"
    with_memo = scan_evidence(project, root / "evidence", cache_dir=cache, git=False, memo=memo)
    without = scan_evidence(load_project(root), root / "evidence", cache_dir=cache, git=False)
    return list(with_memo), list(without)


def test_the_memo_changes_nothing_and_rechecks_only_what_changed(demo):
    memo = FileMemo()
    first, reference = _scans(demo, memo)
    assert first == reference and memo.hits == 0
    count = memo.misses
    assert count == 327  # the demo tree: every file but the sidecars (read with their file) and README.md

    again, reference = _scans(demo, memo)
    assert again == reference and (memo.hits, memo.misses) == (count, 0)

    folder = demo / "evidence" / PLAN_FOLDER
    existing = sorted(folder.glob("*.pdf"))[0]
    (folder / "2025-市爱卫办-新交的计划.pdf").write_bytes(existing.read_bytes() + b"%new\n")
    added, reference = _scans(demo, memo)
    assert added == reference and (memo.hits, memo.misses) == (count, 1)

    # A sidecar written for a file: the file is checked again (its doc_type, its problems).
    (folder / "2025-市爱卫办-新交的计划.yml").write_text("doc_type: 不存在的类型\n", encoding="utf-8")
    described, reference = _scans(demo, memo)
    assert described == reference and memo.misses == 1
    new = next(f for f in described if f.path.endswith("新交的计划.pdf"))
    assert any(p.place and p.place.file.endswith(".yml") for p in new.problems)

    # The same file now also linked from outside evidence/: its 'foreign' problem appears.
    os.link(existing, demo / "outside-link.pdf")
    linked, reference = _scans(demo, memo)
    assert linked == reference and memo.misses == 1
    assert any(p.code == "foreign-file" for f in linked if f.path.endswith(existing.name) for p in f.problems)

    # A file whose name has a year and unit no more: the name problems come back as a fresh scan finds them.
    os.unlink(demo / "outside-link.pdf")
    existing.rename(folder / "计划.pdf")
    renamed, reference = _scans(demo, memo)
    assert renamed == reference and memo.misses == 1  # the renamed file (no longer foreign either)


def test_a_changed_plan_or_folder_tree_checks_every_file_again(demo):
    memo = FileMemo()
    _scans(demo, memo)
    count = memo.misses
    (demo / "evidence" / "03-年度计划与卫生创建" / "03.9-不存在的材料").mkdir()  # the folder tree changed
    files, reference = _scans(demo, memo)
    assert files == reference and (memo.hits, memo.misses) == (0, count)
    city = demo / "standards" / "local" / "city.yml"
    city.write_text(city.read_text(encoding="utf-8").replace("city:", "city: 改了名的", 1), encoding="utf-8")
    files, reference = _scans(demo, memo)
    assert files == reference and memo.hits == 0


def test_copies_handed_out_do_not_change_the_remembered_files(demo):
    memo = FileMemo()
    first, _ = _scans(demo, memo)
    for file in first:
        file.problems.append(None)  # what a later whole-tree check could do to the copy it was given
        file.unit = "被改掉的单位"
    again, reference = _scans(demo, memo)
    assert again == reference


def test_the_hash_cache_is_parsed_once_per_version_of_its_file(tmp_path):
    """A serve session loads the scan cache at every rebuild: the entries last read or written are reused while
    the file is the one they came from, and never after another process (or a change in place) rewrote it."""
    import json

    from handbook.scan import cache as scan_cache
    from handbook.scan.cache import CACHE_NAME, CacheEntry, HashCache

    first = HashCache(tmp_path)
    first.put("a.pdf", CacheEntry(10, 1, "aa", "pdf", nlink=1))
    first.save()
    second = HashCache(tmp_path)
    assert second._old["a.pdf"] is first._new["a.pdf"]  # not parsed again

    second.get("a.pdf", second._old["a.pdf"].witness)
    second.allow_links("a.pdf", 3)  # changed in place, not saved (a build that stopped here)
    assert HashCache(tmp_path)._old["a.pdf"].nlink == 1  # what the file says, not the changed object

    path = tmp_path / CACHE_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data["files"]["a.pdf"]["sha256"] = "bb" * 20
    with path.open("w", encoding="utf-8") as out:  # rewritten in place: same inode, another size
        json.dump(data, out)
    assert HashCache(tmp_path)._old["a.pdf"].sha256 == "bb" * 20
    assert os.path.realpath(path) in scan_cache._READ


def test_the_hash_cache_is_one_file_however_its_folder_is_spelt(tmp_path, monkeypatch):
    """The scan names the cache folder from the resolved project root, the record of new links from the build
    settings' root: the entries one saved are the entries the other loads, without parsing the file again."""
    from handbook.scan.cache import CacheEntry, HashCache

    (tmp_path / "project" / ".cache").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "project")
    writer = HashCache(tmp_path / "link" / ".cache")
    writer.put("a.pdf", CacheEntry(10, 1, "aa", "pdf", nlink=1))
    writer.save()
    monkeypatch.chdir(tmp_path / "project")
    reader = HashCache(Path(".cache"))
    assert reader._old["a.pdf"] is writer._new["a.pdf"]  # the saved entry itself: not parsed again


def test_link_verdicts_are_kept_until_a_file_gains_or_loses_a_name(demo, monkeypatch):
    """The session keeps each file's someone-else's-link verdict by its link count and ctime: a file published
    by hard link into site/ is not looked up again on every save, and a new name made for it is seen at once."""
    import handbook.scan.links as links

    folder = demo / "evidence" / PLAN_FOLDER
    existing = sorted(folder.glob("*.pdf"))[0]
    published = demo / "site" / "evidence" / existing.relative_to(demo / "evidence")
    published.parent.mkdir(parents=True)
    os.link(existing, published)  # the build's own link: not foreign
    looked_up: list[str] = []
    own_links = links._own_links
    monkeypatch.setattr(links, "_own_links", lambda dirs, rel, st: looked_up.append(rel) or own_links(dirs, rel, st))
    memo = FileMemo()
    project = load_project(demo)

    def foreign_paths():
        files = scan_evidence(project, demo / "evidence", cache_dir=demo / ".cache", git=False, memo=memo)
        return [f.path for f in files if any(p.code == "foreign-file" for p in f.problems)]

    assert foreign_paths() == [] and len(looked_up) == 1
    looked_up.clear()
    assert foreign_paths() == [] and looked_up == []  # nothing changed: the verdict is kept
    os.link(existing, demo / "outside-link.pdf")
    rel = existing.relative_to(demo / "evidence").as_posix()
    assert foreign_paths() == [rel] and len(looked_up) == 1
    os.unlink(demo / "outside-link.pdf")
    assert foreign_paths() == [] and len(looked_up) == 2
