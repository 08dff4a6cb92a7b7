"""Changes from a real temporary git repository with dated commits."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "workflow"))

from factory import commit_all, git, init_repo, make_project, write

from handbook.outputs import changes
from handbook.scan.git import history_start

PLAN = "evidence/03-计划/03.2-年度工作计划"
SUMMARY = "evidence/03-计划/03.1-各单位年度总结"
NASTY = f"{SUMMARY}/2026-教育局-<img src=x onerror=alert(1)> |总结*_[x](y).pdf"
TODAY = dt.date(2026, 7, 15)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """Four commits: 40 days ago (old), 20 days ago, 3 days ago (rename + delete + nasty name), today."""
    root = tmp_path_factory.mktemp("changes")
    init_repo(root)
    write(root, f"{PLAN}/2025-市卫健委-计划.pdf")
    write(root, "README.md", "不在 evidence/ 下")
    commit_all(root, "旧提交", when="2026-06-05T10:00:00+08:00")
    write(root, f"{SUMMARY}/2025-卫健委-总结.pdf")
    write(root, "evidence/10/10.1/2025-城管局-清扫统计.pdf")
    commit_all(root, "二十天前", when="2026-06-25T09:30:00+08:00", author="李四")
    git(root, "mv", f"{PLAN}/2025-市卫健委-计划.pdf", f"{PLAN}/2026-市卫健委-计划.pdf")
    git(root, "rm", "-q", "evidence/10/10.1/2025-城管局-清扫统计.pdf")
    write(root, NASTY)
    commit_all(root, "本周 | 提交", when="2026-07-12T16:45:00+08:00", author="王五")
    write(root, f"{SUMMARY}/2025-卫健委-总结.pdf", b"%PDF-1.4\nchanged\n")
    write(root, "docs/other.md", "not evidence")
    commit_all(root, "今天", when="2026-07-15T08:00:00+08:00")
    return root


def test_only_commits_in_the_period_and_only_evidence(repo):
    found = changes.collect_changes(repo, since=dt.date(2026, 6, 16), until=TODAY, project=make_project())
    subjects = {c.subject for c in found}
    assert subjects == {"二十天前", "本周 | 提交", "今天"}
    assert all(c.path.startswith("evidence/") for c in found)
    assert [c.when.date() for c in found] == sorted((c.when.date() for c in found), reverse=True)


def test_actions_units_and_items(repo):
    found = changes.collect_changes(repo, since=dt.date(2026, 7, 9), until=TODAY, project=make_project())
    by_path = {c.path: c for c in found if c.subject == "本周 | 提交"}
    renamed = by_path[f"{PLAN}/2026-市卫健委-计划.pdf"]
    assert (renamed.status, renamed.action, renamed.old_path) == ("R", "重命名", f"{PLAN}/2025-市卫健委-计划.pdf")
    assert (renamed.item, renamed.material, renamed.year, renamed.unit) == (3, "03.2", "2026", "市卫健委")
    deleted = by_path["evidence/10/10.1/2025-城管局-清扫统计.pdf"]
    assert (deleted.action, deleted.unit, deleted.author) == ("删除", "市城管局", "王五")  # alias → canonical
    nasty = by_path[NASTY]
    assert nasty.unit == "市教育局" and nasty.action == "新增"
    modified = [c for c in found if c.subject == "今天"]
    assert [(c.action, c.unit, c.material) for c in modified] == [("修改", "市卫健委", "03.1")]


def test_by_unit_and_by_item_tables(repo):
    found = changes.collect_changes(repo, since=dt.date(2026, 6, 16), until=TODAY, project=make_project())
    units = {row.key: row for row in changes.by_unit(found)}
    assert (units["市卫健委"].added, units["市卫健委"].modified) == (1, 2)  # 总结 added; 计划 renamed, 总结 changed
    assert len(units["市卫健委"].commits) == 3
    assert (units["市城管局"].added, units["市城管局"].deleted) == (1, 1)
    items = {row.key: row for row in changes.by_item(found)}
    assert set(items) == {"03", "10"}
    assert items["03"].related == {"市卫健委", "市教育局"}


def test_unresolved_unit_is_shown_as_written(tmp_path):
    init_repo(tmp_path)
    write(tmp_path, f"{SUMMARY}/2026-某某局-总结.pdf")
    commit_all(tmp_path, "x", when="2026-07-14T10:00:00+08:00")
    found = changes.collect_changes(tmp_path, since=dt.date(2026, 7, 1), until=TODAY, project=make_project())
    assert [c.unit_label for c in found] == ["未识别单位：某某局"]


def test_outside_git_is_empty(tmp_path):
    assert changes.collect_changes(tmp_path, since=dt.date(2026, 1, 1), until=TODAY, project=make_project()) == []


def test_page_shows_both_periods_and_escapes_names(repo):
    page = changes.render_changes_page(repo, TODAY, project=make_project())
    assert page.startswith("---\n")
    assert "## 近 7 天（2026-07-09 至 2026-07-15）" in page
    assert "## 近 30 天（2026-06-16 至 2026-07-15）" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert\\(1\\)&gt;" in page
    seven = page.split("## 近 30 天")[0]
    # 7 days: 4 changed files in 2 commits; the 20-day-old commit is only in the 30-day view.
    assert "共 2 次提交，改动 4 个文件。" in seven
    assert "共 3 次提交，改动 6 个文件。" in page
    # Every table row has the same number of cells as its header (a "|" in a name would break that).
    for table in re.findall(r"(?:^\|.*\|\n)+", page, flags=re.M):
        rows = table.strip("\n").split("\n")
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, table
    # Units link to their pages, items to theirs, relative to changes.md.
    assert "[市卫健委](units/wjw.md)" in page
    assert "(items/03.md)" in page


def test_the_scan_reads_provenance_and_the_period_in_one_git_call(repo, monkeypatch):
    """The site's /changes/ page comes from the scan's own git log: same page, one git process per build."""
    import subprocess

    from handbook.scan import git as gitinfo
    from handbook.scan.evidence import scan_evidence

    calls = []
    real_popen = subprocess.Popen

    def counting_popen(argv, *args, **kwargs):
        calls.append(argv)
        return real_popen(argv, *args, **kwargs)

    monkeypatch.setattr(gitinfo.subprocess, "Popen", counting_popen)
    files = scan_evidence(make_project(), repo / "evidence", git=True, history_since=history_start(TODAY))
    assert len(calls) == 1
    assert {f.committer for f in files} >= {"王五"}  # provenance from the same call
    assert [c.subject for c in files.recent_commits] == ["今天", "本周 | 提交", "二十天前"]  # the 40-day-old one is out
    from_scan = changes.render_changes_page(repo, TODAY, project=make_project(), commits=files.recent_commits)
    assert len(calls) == 1  # the page asked git nothing
    assert from_scan == changes.render_changes_page(repo, TODAY, project=make_project())


def test_cli_text(repo, capsys, monkeypatch):
    import argparse

    import handbook.load.project
    from handbook.commands import changes as command

    monkeypatch.setattr(handbook.load.project, "load_project", lambda root, **kw: make_project(root))

    args = argparse.Namespace(root=repo, today=None, since=dt.date(2026, 7, 9), until=TODAY, format="text")
    assert command.run(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("2026-07-09 至 2026-07-15：2 次提交，改动 4 个佐证材料文件。")
    assert "重命名" in out and "删除" in out


def test_page_matches_its_golden(repo):
    """The whole /changes/ page, compared with tests/golden/changes/changes.md (UPDATE_GOLDEN=1 rewrites it;
    read the diff before committing). Commit hashes are masked: they depend on the git version's defaults."""
    from support import check_golden

    page = changes.render_changes_page(repo, TODAY, project=make_project())
    check_golden(Path(__file__).parent / "golden" / "changes" / "changes.md",
                 re.sub(r"\b[0-9a-f]{7,40}\b", "HASH", page))


def test_a_busy_week_lists_the_first_changes_and_counts_all(repo, monkeypatch):
    """The detail list is capped (the page must open on a phone at city size); the tables count every change
    and the page names the command that lists the rest."""
    import markdown

    assert (changes.LIST_LIMIT, changes.RELATED_SHOWN) == (100, 12)
    monkeypatch.setattr(changes, "LIST_LIMIT", 1)
    monkeypatch.setattr(changes, "RELATED_SHOWN", 1)
    page = changes.render_changes_page(repo, TODAY, project=make_project())
    seven = page.split("## 近 30 天")[0]
    assert "共 2 次提交，改动 4 个文件。" in seven  # the counts: every change
    details = seven.split("### 明细")[1]
    assert len([line for line in details.splitlines() if line.startswith("| 2026-")]) == 1
    assert "另有 3 条改动未逐条列出" in details
    # Item 3 has two units this week: one named, both counted (市教育局 is on its own row of 按单位).
    assert '<span class="hb-wide">市卫健委 等 2 个单位</span>' in seven
    html = markdown.markdown(details, extensions=["tables"])
    assert "<code>python -m handbook changes --since 2026-07-09 --until 2026-07-15</code>" in html
