"""The example CI files in docs/ci: they parse, and every command they run exists with those arguments."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from handbook.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
GITEA = ROOT / "docs" / "ci" / "gitea-actions.yml"
HANDBOOK = re.compile(r"(?:\.venv/bin/)?python3? -m handbook (.+)$")
MAKE = re.compile(r"(?:^|&&|;)\s*make\s+([\w./-]+)")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def gitlab_scripts(data: dict) -> list[str]:
    lines = list(data.get("default", {}).get("before_script", []))
    for _name, job in data.items():
        if isinstance(job, dict) and "script" in job:
            lines += job.get("before_script", []) + job["script"]
    return lines


def gitea_scripts(data: dict) -> list[str]:
    return [line for job in data["jobs"].values() for step in job["steps"] for line in step["run"].splitlines()]


def _placeholders(line: str) -> str:
    """Shell variables, $(…) and ${{ … }} become a plain word, so the line splits like the shell would."""
    line = re.sub(r"\$\{\{.*?\}\}", "X", line)
    line = re.sub(r"\$\(date [^)]*\)", "2026-01-01", line)  # the dates the shell computes
    line = re.sub(r"\$\([^)]*\)", "X", line)
    return re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_:-]*\}?", "X", line)


ALL_LINES = [(path.name, line) for path, lines in (
    (GITLAB, gitlab_scripts(load(GITLAB))),
    (GITEA, gitea_scripts(load(GITEA))),
) for line in lines]


def test_both_files_name_some_handbook_and_make_commands():
    for path in (GITLAB, GITEA):
        text = path.read_text(encoding="utf-8")
        assert "python -m handbook check --evidence --changed-since" in text
        assert "make build" in text


@pytest.mark.parametrize(("source", "line"), [(s, ln) for s, ln in ALL_LINES if HANDBOOK.search(ln)])
def test_handbook_commands_parse_with_the_real_cli(source, line):
    argv = shlex.split(_placeholders(HANDBOOK.search(line).group(1)))
    args = build_parser().parse_args(argv)  # SystemExit (exit 2) on an unknown command or option
    assert callable(args.run)


@pytest.mark.parametrize(("source", "target"),
                         [(s, m) for s, ln in ALL_LINES for m in MAKE.findall(ln)])
def test_make_targets_exist(source, target):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n: print what would run, run nothing; fails with "No rule to make target" for a missing one.
    result = subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_gitlab_structure():
    data = load(GITLAB)
    stages = data["stages"]
    jobs = {name: job for name, job in data.items() if isinstance(job, dict) and "script" in job}
    assert {"evidence-check", "build", "pages"} <= set(jobs)
    for name, job in jobs.items():
        assert job["stage"] in stages, name
        for need in job.get("needs", []):
            assert need in jobs, (name, need)
    default_branch = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    assert "rules" not in jobs["evidence-check"]  # every push and merge request
    for name in ("build", "pages"):
        assert jobs[name]["rules"][0]["if"] == default_branch
    assert jobs["pages"]["artifacts"]["paths"] == ["public"]
    assert "mv site public" in " ".join(jobs["pages"]["script"])


def test_gitea_structure():
    data = load(GITEA)
    # PyYAML (YAML 1.1) reads the key "on" as True; Gitea's parser reads it as "on".
    triggers = data.get("on", data.get(True))
    assert set(triggers) == {"push", "pull_request"}
    jobs = data["jobs"]
    assert set(jobs) == {"evidence-check", "publish"}
    assert "default_branch" in jobs["publish"]["if"]
    for job in jobs.values():
        assert job["runs-on"] == "debian-python3"
        # No "uses:" actions: they need Node.js and a download from outside the intranet.
        assert all("run" in step and "uses" not in step for step in job["steps"])


def test_readme_and_workflow_guide_link_the_examples():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    for text in (readme, guide):
        assert "docs/ci/gitlab-ci.yml" in text or "ci/gitlab-ci.yml" in text
        assert "docs/ci/gitea-actions.yml" in text or "ci/gitea-actions.yml" in text
