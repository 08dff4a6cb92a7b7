"""Git calls that cannot silently give up (issue 17): the package's git status is cheap and a timeout is said."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest

from conftest import ROOT

from handbook.model import Level
from handbook.outputs.package import provenance
from handbook.pipeline import build_archive
from handbook.render import render_site


def test_status_runs_without_trusting_ctime_and_a_timeout_is_a_warning(tmp_path, monkeypatch, caplog):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    subprocess.run(["git", "-C", str(tmp_path), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a"],
                   check=True)
    seen = []
    real_run = subprocess.run

    def fake_run(command, *args, **kwargs):
        if "status" in command:
            seen.append(command)
            raise subprocess.TimeoutExpired(command, kwargs.get("timeout"))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(provenance.subprocess, "run", fake_run)
    found = provenance.read_provenance(tmp_path)
    assert seen and seen[0][:3] == ["git", "-c", "core.trustctime=false"]
    assert found.dirty is None and found.commit
    assert found.warning == "无法确定是否有未提交的修改（git status 超过 60 秒未完成）；材料包照常生成，请在提交全部改动后重新打包"
    assert found.warning in caplog.text


def test_status_normally_counts_changes(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    subprocess.run(["git", "-C", str(tmp_path), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a"],
                   check=True)
    (tmp_path / "a.txt").write_text("b", encoding="utf-8")
    found = provenance.read_provenance(tmp_path)
    assert (found.dirty, found.changed, found.warning) == (True, 1, "")


# --------------------------------------------------------------------------- a shallow clone (issue 17, weak spot)

PLAN_FOLDER = "03-年度计划与卫生创建/03.1-年度工作计划"
WARNING_FIX = ("在仓库中运行 git fetch --unshallow 后重新构建；CI 中取完整历史（GitLab：GIT_DEPTH: \"0\"；"
               "GitHub Actions：actions/checkout 的 fetch-depth: 0）")


def _commit(repo, message: str, who: str, when: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": "x@example.org", "GIT_COMMITTER_NAME": who,
           "GIT_COMMITTER_EMAIL": "x@example.org", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", message], cwd=repo, env=env, check=True)


@pytest.fixture
def history(tmp_path):
    """The small site project committed in three steps: everything (2026-01-05), one plan (11-01), another (11-20)."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "site", repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _commit(repo, "首次提交", "爱卫办管理员", "2026-01-05T09:00:00+08:00")
    sample = next((repo / "evidence" / PLAN_FOLDER).glob("*.pdf")).read_bytes()
    for n, (who, when) in enumerate((("卫健委联络员", "2026-11-01T10:00:00+08:00"),
                                     ("城管局联络员", "2026-11-20T10:00:00+08:00")), start=1):
        (repo / "evidence" / PLAN_FOLDER / f"2025-市爱卫办-补充计划{n}.pdf").write_bytes(sample + b"%" + bytes([n]))
        _commit(repo, f"补充计划{n}", who, when)
    return repo


def _clone(repo, target, depth: int):
    subprocess.run(["git", "clone", "-q", "--depth", str(depth), f"file://{repo}", str(target)], check=True,
                   capture_output=True)
    return target


def test_a_depth_one_clone_says_so_on_the_site_and_shows_no_made_up_dates(history, tmp_path):
    clone = _clone(history, tmp_path / "ci", depth=1)
    archive = build_archive(clone, today=dt.date(2026, 11, 23), cache_dir=tmp_path / "cache")
    notes = [d for d in archive.project.diagnostics if d.code == "shallow-clone"]
    assert [(d.level, str(d.where), d.problem, d.fix) for d in notes] == [(
        Level.WARNING, "evidence/",
        "仓库是浅克隆（只取了最近的提交）：5 个文件（共 5 个）是在更早的提交中加入的，它们的提交人和提交日期无法确定，"
        "网站上不显示（03-年度计划与卫生创建/03.1-年度工作计划/2024-市爱卫办-测试市2024年爱国卫生工作计划.pdf、"
        "03-年度计划与卫生创建/03.1-年度工作计划/2025-市爱卫办-补充计划1.pdf、"
        "03-年度计划与卫生创建/03.1-年度工作计划/2025-市爱卫办-补充计划2.pdf 等 5 个）；“近期提交”页也只列出取到的提交",
        WARNING_FIX)]
    assert {(f.committer, f.committed) for f in archive.files} == {("", None)}  # never the clone's one commit
    assert archive.recent_commits == []  # its file list is the whole tree as "added": not a change
    pages = render_site(archive)
    for page in ("index.md", "problems.md"):
        assert '!!! warning "提交记录不完整（浅克隆）"' in pages[page]
        assert "git fetch \\-\\-unshallow" in pages[page]


def test_a_deeper_clone_keeps_what_it_knows(history, tmp_path):
    clone = _clone(history, tmp_path / "ci", depth=2)
    archive = build_archive(clone, today=dt.date(2026, 11, 23), cache_dir=tmp_path / "cache")
    known = {f.path.rsplit("/", 1)[-1]: (f.committer, f.committed.isoformat()) for f in archive.files if f.committer}
    assert known == {"2025-市爱卫办-补充计划2.pdf": ("城管局联络员", "2026-11-20T10:00:00+08:00")}
    note = next(d for d in archive.project.diagnostics if d.code == "shallow-clone")
    assert note.problem.startswith("仓库是浅克隆（只取了最近的提交）：4 个文件（共 5 个）是在更早的提交中加入的")
    assert [c.subject for c in archive.recent_commits] == ["补充计划2"]


def test_the_whole_history_gives_no_notice(history, tmp_path):
    archive = build_archive(history, today=dt.date(2026, 11, 23), cache_dir=tmp_path / "cache")
    assert not [d for d in archive.project.diagnostics if d.code == "shallow-clone"]
    assert "浅克隆" not in render_site(archive)["index.md"]
    assert {f.path.rsplit("/", 1)[-1]: f.committer for f in archive.files if "补充计划" in f.path} == {
        "2025-市爱卫办-补充计划1.pdf": "卫健委联络员", "2025-市爱卫办-补充计划2.pdf": "城管局联络员"}
    assert [c.subject for c in archive.recent_commits] == ["补充计划2", "补充计划1"]


def test_a_worktree_of_a_shallow_clone_is_seen_as_shallow(history, tmp_path):
    from handbook.scan.git import shallow_boundary

    clone = _clone(history, tmp_path / "ci", depth=1)
    subprocess.run(["git", "-C", str(clone), "worktree", "add", "-q", str(tmp_path / "wt")], check=True,
                   capture_output=True)
    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert shallow_boundary(tmp_path / "wt" / "evidence") == shallow_boundary(clone) == frozenset({head})
    assert shallow_boundary(history / "evidence") is None and shallow_boundary(tmp_path / "nowhere") is None


def test_a_project_loaded_once_and_scanned_twice_says_the_shallow_clone_once(history, tmp_path):
    """A serve session scans with the project it loaded before (handbook_mkdocs.plugin._session_project): the
    scan's note goes on the archive's copy, never on the loaded project, so rebuilds do not pile it up."""
    from handbook.load.project import load_project

    clone = _clone(history, tmp_path / "ci", depth=1)
    project = load_project(clone, today=dt.date(2026, 11, 23))
    assert [d.code for d in project.diagnostics] == []
    for _ in range(2):
        archive = build_archive(clone, today=dt.date(2026, 11, 23), cache_dir=tmp_path / "cache", project=project)
        assert [d.code for d in archive.project.diagnostics] == ["shallow-clone"]
        assert archive.project.plan is project.plan  # the loaded plan itself, not loaded again
    assert [d.code for d in project.diagnostics] == []
