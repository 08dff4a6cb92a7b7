"""Hostile text through the real MkDocs build (issue 17): a strict build fails on the project's own problems
with Chinese messages and no traceback (never on a link someone typed into a name or a sidecar), and a
non-strict build of the same project shows every problem on the site as text: HTML, Markdown and Jinja
syntax in names and values stay inert."""

from __future__ import annotations

import logging
import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT, tree_digest

sys.path.insert(0, str(ROOT / "tests"))
from test_site_build import site_config

PLAN_FOLDER = "03-年度计划与卫生创建/03.1-年度工作计划"
# Everything a committer might type that means something to HTML, Markdown or a template engine ("/" cannot
# be in a file name, so the closing tag is spelt with a backslash).
HOSTILE = "<script>alert(1)<\\script>a|b*强调*[x](y)`代码`{{ 7*7 }}{% if 1 %}"
FILE_NAME = f"2024-市爱卫办-{HOSTILE}.pdf"
UNIT = "<script>alert(4)</script>{{ 9*9 }}|[u](v)*粗*"
SIDECAR = ('doc_type: "[见附件](missing-page.md)"\n'
           'doc_number: "<script>alert(2)</script>{{ 8*8 }}"\n'
           'note: "[链](javascript:alert(3)) | `x` *y* {% raw %}"\n')
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def hostile_evidence(tmp_path) -> Path:
    """The small site project with a hostile file name and a hostile sidecar (what any department can commit)."""
    root = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "fixtures" / "site", root, ignore=shutil.ignore_patterns(".cache"))  # a stale local cache is not the fixture
    folder = root / "evidence" / PLAN_FOLDER
    sample = next(folder.glob("*.pdf"))
    (folder / FILE_NAME).write_bytes(sample.read_bytes() + b"%1")
    (folder / "2024-市爱卫办-有说明的计划.pdf").write_bytes(sample.read_bytes() + b"%2")
    (folder / "2024-市爱卫办-有说明的计划.yml").write_text(SIDECAR, encoding="utf-8")
    return root


@pytest.fixture
def hostile(hostile_evidence) -> Path:
    """… and a hostile unit in assignments.yml: a project error, which must fail --strict."""
    root = hostile_evidence
    assignments = root / "standards" / "local" / "assignments.yml"
    text = assignments.read_text(encoding="utf-8")
    assignments.write_text(text.replace("lead: [市爱卫办]", f"lead: [{_yaml(UNIT)}]", 1), encoding="utf-8")
    return root


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _build(config) -> None:
    from mkdocs.commands.build import build

    build(config)


def test_strict_build_fails_in_chinese_naming_the_file_without_a_traceback(hostile, caplog):
    from mkdocs.exceptions import Abort

    before = tree_digest(hostile / "evidence")
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort, match="strict mode"):
        _build(site_config(hostile, strict=True, package=False))
    ours = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert ours, "the hostile unit must be reported"
    assert all(CJK.search(r.getMessage()) and r.exc_info is None for r in ours), [r.getMessage() for r in ours]
    assert "Traceback" not in caplog.text
    assert "contains a link" not in caplog.text  # a link typed into a name or a sidecar is text, not a link
    errors = [r.getMessage() for r in ours if r.levelno == logging.ERROR]
    assert errors[0].startswith(f"standards/local/assignments.yml:3: 错误: 单位“{UNIT}”不在 units.yml 中")
    assert tree_digest(hostile / "evidence") == before


def test_hostile_names_and_sidecars_alone_never_abort_a_strict_build(hostile_evidence, caplog):
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        _build(site_config(hostile_evidence, strict=True, package=False))  # defect 3: this aborted
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    page = (hostile_evidence / "site" / "problems" / "index.html").read_text(encoding="utf-8")
    assert "[见附件](missing-page.md)" in page and "<script>alert" not in page


def test_a_non_strict_build_shows_every_problem_as_inert_text(hostile):
    before = tree_digest(hostile / "evidence")
    _build(site_config(hostile, package=False))
    page = (hostile / "site" / "problems" / "index.html").read_text(encoding="utf-8")
    body = page.split('<article', 1)[1].split("</article>", 1)[0]  # the page itself, not the theme
    # The file, its sidecar's bad doc_type and the unit are all listed…
    assert "&lt;script&gt;alert(1)&lt;\\script&gt;a|b*强调*[x](y)`代码`{{ 7*7 }}{% if 1 %}" in body
    assert "[见附件](missing-page.md)" in body
    assert "&lt;script&gt;alert(4)&lt;/script&gt;{{ 9*9 }}|[u](v)*粗*" in body
    # …and none of it became markup, a link or a template result.
    assert "<script>alert" not in page
    assert 'href="y"' not in body and 'href="v"' not in body and "missing-page" not in body.replace(
        "[见附件](missing-page.md)", "")
    assert "javascript:" not in page
    assert "<em>强调</em>" not in body and "<code>代码</code>" not in body and "<strong>粗</strong>" not in body
    assert ">49<" not in body and ">81<" not in body
    for html_page in (hostile / "site").rglob("*.html"):
        text = html_page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and 'href="javascript:' not in text, html_page
    assert tree_digest(hostile / "evidence") == before
