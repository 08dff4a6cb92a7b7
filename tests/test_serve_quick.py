"""The serve preview's quick rebuild (hooks/handbook_mkdocs/quick.py), in-process on the fixture project.

After one new evidence file the session rebuilds only the pages whose Markdown changed (named here by hand:
the file's item page, its unit's page, and the dashboards whose counts it moves), the new file is on its item
page, and nothing else in site/ is written again. A change outside evidence/ runs MkDocs' full rebuild."""

from __future__ import annotations

import os
import shutil

import pytest

from test_site_build import FIXTURE, plugin_of, site_config

SERVE_URL = "http://127.0.0.1:8000/"
NEW_NAME = "2026-市疾控中心-新交的监测报告.pdf"


def start_session(tmp_path):
    from mkdocs.commands.build import build

    from handbook_mkdocs.quick import fast_builder

    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    config = site_config(tmp_path)
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = plugin_of(config)
    full_builds = []

    def full() -> None:
        full_builds.append(1)
        build(site_config(tmp_path), serve_url=SERVE_URL)  # as MkDocs' serve does: the config read anew

    build(config, serve_url=SERVE_URL)
    plugin.session.wait_for_search()
    return config, plugin, fast_builder(plugin, full), full_builds


def test_one_new_file_rebuilds_only_the_pages_that_show_it(tmp_path):
    config, plugin, builder, full_builds = start_session(tmp_path)
    try:
        site = tmp_path / "site"
        untouched = site / "items" / "03" / "index.html"
        before = os.stat(untouched).st_mtime_ns
        folder = tmp_path / "evidence" / "45-病媒生物预防控制" / "45.3-病媒生物密度监测报告"
        (folder / NEW_NAME).write_bytes(next(folder.glob("*.pdf")).read_bytes() + b"\n% 2026\n")  # not a duplicate

        builder()

        assert full_builds == []
        # Item 45's page lists the file and so does 市疾控中心's (it submitted it); the 2026 cell of 45.3, owed
        # by 市卫健委, is now collected: its page, and the counts on the home page, category 7 (病媒生物), the
        # missing list, the unit ranking and the 工作简报 change. Nothing else does.
        assert plugin.session.rebuilt == [
            "briefing.md",
            "categories/7.md",
            "index.md",
            "items/45.md",
            "missing.md",
            "units/index.md",
            "units/jkzx.md",
            "units/wjw.md",
        ]
        page = (site / "items" / "45" / "index.html").read_text(encoding="utf-8")
        assert "新交的监测报告" in page
        published = site / "evidence" / "45-病媒生物预防控制" / "45.3-病媒生物密度监测报告" / NEW_NAME
        assert os.path.samefile(published, folder / NEW_NAME)  # linked, as a full build does
        assert os.stat(untouched).st_mtime_ns == before  # a page the file is not on is not written again
        assert "新交的监测报告" in (site / "units" / "jkzx" / "index.html").read_text(encoding="utf-8")

        builder()  # nothing changed since: nothing rebuilt
        assert plugin.session.rebuilt == [] and full_builds == []
    finally:
        config.plugins.on_shutdown()


def test_a_change_outside_evidence_runs_the_full_rebuild(tmp_path):
    config, _, builder, full_builds = start_session(tmp_path)
    try:
        city = tmp_path / "standards" / "local" / "city.yml"
        city.write_text(city.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        os.utime(city, ns=(1, 1))  # another mtime, whatever the clock's resolution
        builder()  # standards/ is watched from the shipped mkdocs.yml too: a plan change rebuilds everything
        assert full_builds == [1]
    finally:
        config.plugins.on_shutdown()


def test_the_pages_an_archive_change_touches_are_those_of_its_files_and_cells(tmp_path):
    import dataclasses
    import datetime as dt

    from handbook.model import Status
    from handbook.pipeline import build_archive
    from handbook.render.depends import Touched, pages_of, touched

    old, new = (build_archive(FIXTURE, today=dt.date(2026, 11, 23), cache_dir=tmp_path, git=False) for _ in "ab")
    assert touched(old, new).items == frozenset() and touched(old, new).units == frozenset()
    cell = next(c for c in new.cells if (c.material, c.year) == ("45.3", 2026))
    assert cell.status is Status.MISSING and cell.owner == "市卫健委"
    new.cells[new.cells.index(cell)] = dataclasses.replace(cell, status=Status.COLLECTED)
    assert touched(old, new) == Touched(frozenset({45}), frozenset({"市卫健委"}))
    sample = next(f for f in new.files if f.path.startswith("45-"))  # 市疾控中心's 2025 report, filed under 45.3
    new.files[new.files.index(sample)] = dataclasses.replace(sample, size=sample.size + 1)
    change = touched(old, new)  # the file's items and its unit's page besides the cell's
    assert sample.unit == "市疾控中心" and change == Touched(frozenset({45}), frozenset({"市卫健委", "市疾控中心"}))
    uris = {"index.md", "units/index.md", "items/45.md", "items/45/45.3.md", "items/03.md", "units/jkzx.md",
            "units/jkzx/files-2.md", "units/wjw.md", "units/aiweiban.md"}
    assert pages_of(uris, change, new.project.plan) == {
        "index.md", "units/index.md", "items/45.md", "items/45/45.3.md", "units/jkzx.md", "units/jkzx/files-2.md",
        "units/wjw.md"}
    new.project.plan.units.clear()  # something every page shows: render everything
    assert touched(old, new) is None


def test_the_previews_own_links_in_its_temporary_site_are_not_foreign(tmp_path):
    """mkdocs serve builds into a temporary folder: the evidence it hard-linked there is the build's own, so the
    next scan neither lists every published file as 'foreign-file' nor stops publishing it."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from test_site_build import ROOT

    shutil.copytree(FIXTURE, tmp_path / "project")
    root = tmp_path / "project"
    site = tmp_path / "mkdocs_preview"  # not <root>/site
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site), watch=[str(root / "evidence")],
                         extra={"handbook": {"root": str(root), "today": "2026-11-23", "package": False}})
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = plugin_of(config)
    try:
        build(config, serve_url=SERVE_URL)
        sample = next((root / "evidence").rglob("*.pdf"))
        assert os.stat(sample).st_nlink == 2  # published by hard link into the temporary site
        build(config, serve_url=SERVE_URL)
        codes = {p.code for f in plugin.build.archive.files for p in f.problems}
        assert "foreign-file" not in codes
        assert os.path.samefile(sample, site / "evidence" / sample.relative_to(root / "evidence"))
    finally:
        config.plugins.on_shutdown()


def test_the_preview_after_a_build_of_site_still_publishes_every_file(tmp_path):
    """``make serve`` runs ``mkdocs build`` (evidence linked into <root>/site) and then the preview, which links
    the same files into its temporary folder: both links are the project's own, none is 'foreign-file'."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from test_site_build import ROOT

    shutil.copytree(FIXTURE, tmp_path / "project")
    root = tmp_path / "project"
    build(site_config(root, package=False))  # the plain build: <root>/site/evidence
    sample = next((root / "evidence").rglob("*.pdf"))
    assert os.stat(sample).st_nlink == 2
    site = tmp_path / "mkdocs_preview"
    config = load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(site), watch=[str(root / "evidence")],
                         extra={"handbook": {"root": str(root), "today": "2026-11-23", "package": False}})
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = plugin_of(config)
    try:
        build(config, serve_url=SERVE_URL)
        codes = {p.code for f in plugin.build.archive.files for p in f.problems}
        assert "foreign-file" not in codes
        assert os.stat(sample).st_nlink == 3
        assert os.path.samefile(sample, site / "evidence" / sample.relative_to(root / "evidence"))
    finally:
        config.plugins.on_shutdown()


def test_the_cycle_collector_is_paused_only_during_a_quick_rebuild():
    import gc

    from handbook_mkdocs.quick import _no_cycle_collection

    assert gc.isenabled()
    with pytest.raises(RuntimeError), _no_cycle_collection():
        assert not gc.isenabled()
        raise RuntimeError("a failed quick rebuild")
    assert gc.isenabled()  # back on, also after a failure (the full build that follows needs it)


def test_a_quick_rebuild_keeps_the_loaded_plan_and_saves_the_scan_cache_after_the_page(tmp_path):
    config, plugin, builder, full_builds = start_session(tmp_path)
    try:
        loaded = plugin.session.project[1]
        cache = tmp_path / ".cache" / "handbook" / "evidence-scan.json"
        folder = tmp_path / "evidence" / "45-病媒生物预防控制" / "45.3-病媒生物密度监测报告"
        (folder / NEW_NAME).write_bytes(next(folder.glob("*.pdf")).read_bytes() + b"\n% 2026\n")

        builder()

        assert full_builds == []
        assert plugin.build.archive.project is loaded  # standards/ unchanged: not read again
        plugin.session.wait_for_search()  # the background work: the cache's save, then the index
        assert NEW_NAME in cache.read_text(encoding="utf-8")
        assert plugin.session.after_build == []

        city = tmp_path / "standards" / "local" / "city.yml"
        city.write_text(city.read_text(encoding="utf-8").replace("测试市", "改名市"), encoding="utf-8")
        os.utime(city, ns=(1, 1))
        builder()  # a plan change: the full rebuild loads it again
        assert full_builds == [1]
        assert plugin.session.project[1] is not loaded
        assert plugin.session.project[1].plan.city == "改名市"
    finally:
        config.plugins.on_shutdown()
