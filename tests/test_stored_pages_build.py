"""Generated pages converted once: a later ``mkdocs build`` reuses them from .cache/handbook/pages/.

Real in-process builds of the fixture project; a spy on MkDocs' ``Page.render`` records which pages had
Markdown to convert (a reused page is handed over empty, its stored HTML put back).
"""

from __future__ import annotations

import shutil

import pytest
from test_site_build import FIXTURE, plugin_of, site_config

HAND_WRITTEN = ["architecture.md", "changes.md", "faq.md", "guide.md", "package.md", "schema.md", "workflow.md"]
# The generated pages still written as Markdown: the only ones converted, so the only ones stored. The item
# and unit pages (45 + 5) are written as HTML and never converted (handbook_mkdocs.html_pages).
MARKDOWN_PAGES = ["briefing.md", "categories/1.md", "categories/2.md", "categories/3.md", "categories/4.md",
                  "categories/5.md", "categories/6.md", "categories/7.md", "findings.md", "index.md",
                  "indicators.md", "missing.md", "problems.md", "units/index.md"]
HTML_PAGES = [f"items/{n:02d}.md" for n in range(1, 46)] + [
    "units/aiwei.md", "units/cgj.md", "units/jkzx.md", "units/songyang.md", "units/wjw.md"]
# One new 病媒生物密度监测报告 of 市疾控中心 (item 45, category 七): the Markdown pages that count it (items/45.md,
# units/jkzx.md and units/wjw.md show it too, as HTML).
AFFECTED = ["categories/7.md", "index.md", "missing.md", "problems.md", "units/index.md"]


@pytest.fixture
def converted(monkeypatch):
    """The src uris of the pages MkDocs converted from non-empty Markdown (the test clears it between builds)."""
    from mkdocs.structure.pages import Page

    seen: list[str] = []
    render = Page.render

    def spy(self, config, files):
        if self.markdown and self.markdown.strip():
            seen.append(self.file.src_uri)
        return render(self, config, files)

    monkeypatch.setattr(Page, "render", spy)
    return seen


def _build(root):
    from mkdocs.commands.build import build

    config = site_config(root, package=False, strict=True)
    build(config)
    return plugin_of(config).build


def _html(root, uris) -> dict[str, str]:
    site = root / "site"
    return {uri: (site / uri.removesuffix(".md").removesuffix("index") / "index.html").read_text(encoding="utf-8")
            for uri in uris}


def test_unchanged_pages_are_reused_and_a_new_file_converts_only_the_pages_it_affects(tmp_path, converted):
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    first = _build(tmp_path)
    assert sorted(first.pages.generated) == MARKDOWN_PAGES
    assert sorted(set(converted)) == sorted(MARKDOWN_PAGES + HAND_WRITTEN)  # no HTML page converted
    generated = MARKDOWN_PAGES + HTML_PAGES
    first_html = _html(tmp_path, generated)

    converted.clear()
    second = _build(tmp_path)
    assert sorted(converted) == HAND_WRITTEN  # no generated page converted again
    assert second.counts["pages_reused"] == len(MARKDOWN_PAGES) and second.counts["pages_converted"] == 0
    assert _html(tmp_path, generated) == first_html  # HTML, anchors and titles as converted

    folder = tmp_path / "evidence" / "45-病媒生物预防控制" / "45.3-病媒生物密度监测报告"
    shutil.copyfile(next(folder.glob("*.pdf")), folder / "2024-市疾控中心-新交的监测报告.pdf")
    converted.clear()
    third = _build(tmp_path)
    assert sorted(u for u in converted if u not in HAND_WRITTEN) == AFFECTED
    assert third.counts["pages_reused"] == len(MARKDOWN_PAGES) - len(AFFECTED)
    assert "新交的监测报告" in _html(tmp_path, ["items/45.md"])["items/45.md"]
    mixed = _html(tmp_path, generated)

    shutil.rmtree(tmp_path / ".cache" / "handbook" / "pages")  # every page converted afresh: the same site
    converted.clear()
    _build(tmp_path)
    assert len(set(converted)) == len(MARKDOWN_PAGES) + len(HAND_WRITTEN)
    assert _html(tmp_path, generated) == mixed


def test_the_store_keeps_only_the_pages_of_the_last_build(tmp_path, converted):
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    _build(tmp_path)
    store = tmp_path / ".cache" / "handbook" / "pages"
    assert len(list(store.glob("*.json"))) == len(MARKDOWN_PAGES)
    folder = tmp_path / "evidence" / "45-病媒生物预防控制" / "45.3-病媒生物密度监测报告"
    shutil.copyfile(next(folder.glob("*.pdf")), folder / "2024-市疾控中心-新交的监测报告.pdf")
    _build(tmp_path)
    assert len(list(store.glob("*.json"))) == len(MARKDOWN_PAGES)  # the 5 older conversions pruned


def test_another_mkdocs_setting_converts_every_page_again(tmp_path, converted):
    from mkdocs.commands.build import build

    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    _build(tmp_path)
    converted.clear()
    config = site_config(tmp_path, package=False)
    config.use_directory_urls = False  # every relative link changes
    build(config)
    assert len(set(converted)) == len(MARKDOWN_PAGES) + len(HAND_WRITTEN)


CONTEXT_SCRIPT = """
import sys
from mkdocs.config import load_config
from mkdocs.structure.files import Files
from handbook_mkdocs.stored_pages import build_context
config = load_config(config_file=sys.argv[1])
print(build_context(config, Files([])))
"""


def test_the_build_context_is_the_same_in_another_process():
    """Each ``mkdocs build`` is its own process: a key holding a memory address (mkdocs.yml names functions:
    the slugify of the toc) would never match, and every page would be converted again."""
    import os
    import subprocess
    import sys

    from test_site_build import ROOT

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "hooks")}
    runs = [subprocess.run([sys.executable, "-c", CONTEXT_SCRIPT, str(ROOT / "mkdocs.yml")], capture_output=True,
                           text=True, check=True, env=env, cwd=ROOT).stdout.split()[-1] for _ in range(2)]
    assert runs[0] == runs[1]
