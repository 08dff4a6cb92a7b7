"""A ``mkdocs build`` with nothing changed redoes nothing: pages come from the memo on disk, search from the kept
index (handbook.render.memo, handbook.outputs.search_writer). Real in-process builds of the fixture project."""

from __future__ import annotations

import json
import shutil

from test_site_build import FIXTURE, plugin_of, site_config

# The generated pages of the fixture: the dashboards, 45 items, 5 units, and nothing else at this size.
GENERATED = 64
# One new 病媒生物密度监测报告 of 市疾控中心 (item 45.3, category 七): the pages whose inputs it changes (units/wjw:
# 市卫健委 supervises the item; not the 简报: the file is dated 2024, outside this month's figures).
AFFECTED = ["categories/7.md", "index.md", "items/45.md", "missing.md", "problems.md",
            "units/index.md", "units/jkzx.md", "units/wjw.md"]


def _build(root):
    from mkdocs.commands.build import build

    config = site_config(root, package=False, strict=True)
    build(config)
    return plugin_of(config).build


def _site_pages(root) -> dict[str, bytes]:
    site = root / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("index.html"))}


def _add_report(root) -> None:
    folder = root / "evidence" / "45-病媒生物预防控制" / "45.3-病媒生物密度监测报告"
    shutil.copyfile(next(folder.glob("*.pdf")), folder / "2024-市疾控中心-新交的监测报告.pdf")


def test_a_second_build_renders_no_page_and_runs_no_indexer(tmp_path):
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    first = _build(tmp_path)
    assert first.counts["pages_rendered"] == GENERATED and first.counts["search_reused"] == 0
    before = _site_pages(tmp_path)

    second = _build(tmp_path)
    assert second.counts["pages_rendered"] == 0 and second.counts["pages_rendered_reused"] == GENERATED
    assert second.counts["search_reused"] == 1
    assert _site_pages(tmp_path) == before  # the same site, byte for byte
    entry = json.loads((tmp_path / "site" / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["zh"]["page_count"] > 45

    _add_report(tmp_path)
    third = _build(tmp_path)
    assert third.rendered == AFFECTED, " ".join(third.rendered)
    assert third.counts["search_reused"] == 0  # a new file is a new search record
    assert "新交的监测报告" in (tmp_path / "site" / "items" / "45" / "index.html").read_text(encoding="utf-8")


def test_a_changed_code_version_renders_every_page_again(tmp_path, monkeypatch):
    from handbook.render import memo

    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    _build(tmp_path)
    monkeypatch.setattr(memo, "code_version", lambda: "another version of the templates")
    assert _build(tmp_path).counts["pages_rendered"] == GENERATED


def test_a_damaged_memo_or_kept_index_is_made_again_not_trusted(tmp_path):
    from handbook.render.memo import FILE_NAME

    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    _build(tmp_path)
    cache = tmp_path / ".cache" / "handbook"
    (cache / FILE_NAME).write_bytes(b"\x80\x05 not a pickle")
    # A kept index whose entry file is gone (a build killed while keeping it) but whose digest survived.
    (cache / "search-build" / "pagefind-entry.json").unlink()
    again = _build(tmp_path)
    assert again.counts["pages_rendered"] == GENERATED
    assert again.counts["search_reused"] == 0
    assert (tmp_path / "site" / "pagefind" / "pagefind-entry.json").stat().st_size > 0
    assert _build(tmp_path).counts["search_reused"] == 1  # and kept whole again


def test_a_read_only_cache_only_costs_the_reuse(tmp_path):
    from handbook.render.memo import PageMemo

    memo = PageMemo()
    memo.begin()
    assert memo.page("index.md", ("home", 1), lambda: "首页") == "首页"
    target = tmp_path / "not-a-folder"
    target.write_text("a file where the cache folder should be", encoding="utf-8")
    memo.save(target)  # logs, does not raise
    assert PageMemo.load(target).page("index.md", ("home", 1), lambda: "again") == "again"
    memo.save(tmp_path)
    assert PageMemo.load(tmp_path).page("index.md", ("home", 1), lambda: "again") == "首页"
    assert PageMemo.load(tmp_path).page("index.md", ("home", 2), lambda: "new inputs") == "new inputs"
