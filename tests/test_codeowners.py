"""CODEOWNERS for GitLab and Gitea: the lines, and who each server would ask for sample paths.

The two small matchers below follow the servers' documented/implemented rules:
GitLab (ee/lib/gitlab/code_owners/file.rb): a pattern not starting with "/" gets "/**/" in front, one
ending in "/" gets "**/*" behind, then File.fnmatch with FNM_PATHNAME|FNM_DOTMATCH against "/" + path;
within a section the last matching entry wins, every section (and the part before any section) counts.
Gitea (models/issues/pull.go): a backslash escapes the next character, "#" starts a comment, the
pattern is compiled as ^pattern$ and every matching line adds its owners.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "workflow"))

from factory import make_project

from handbook.outputs.codeowners import codeowners_text
from handbook.commands import codeowners as codeowners_command

OFFICE, WJW, JYJ, ZS = "@city/aiweiban", "@city/wjw", "@city/jyj", "@zhang.san"  # 市教育局 has JYJ and ZS


# --------------------------------------------------------------------------- GitLab


def _glob_to_regex(pattern: str) -> re.Pattern:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:[^/]*/)*"
            i += 3
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i + 1)
            out += "[" + re.escape(pattern[i + 1:end]) + "]"
            i = end + 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def gitlab_owners(text: str, path: str) -> set[str]:
    sections: dict[str, list[tuple[str, list[str]]]] = {"": []}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") or line.startswith("^["):
            current = line[line.index("[") + 1:line.index("]")].lower()
            sections.setdefault(current, [])
            continue
        pattern, *owners = line.split()
        if pattern == "*":
            pattern = "/**/*"
        if not pattern.startswith("/"):
            pattern = "/**/" + pattern
        if pattern.endswith("/"):
            pattern += "**/*"
        sections[current].append((pattern, owners))
    found: set[str] = set()
    for entries in sections.values():
        last = None
        for pattern, owners in entries:
            if _glob_to_regex(pattern).match("/" + path):
                last = owners
        found |= set(last or ())
    return found


# --------------------------------------------------------------------------- Gitea


def _gitea_tokens(line: str) -> list[str]:
    tokens, token, escape = [], "", False
    for char in line.strip().replace("\t", " "):
        if escape:
            token += char
            escape = False
        elif char == "\\":
            escape = True
        elif char == "#":
            break
        elif char == " ":
            if token:
                tokens.append(token)
                token = ""
        else:
            token += char
    if token:
        tokens.append(token)
    return tokens


def gitea_owners(text: str, path: str) -> set[str]:
    found: set[str] = set()
    for line in text.splitlines():
        tokens = _gitea_tokens(line)
        if len(tokens) < 2:
            continue
        if re.fullmatch(tokens[0], path):
            found |= set(tokens[1:])
    return found


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def project():
    return make_project()


PATHS = {
    # path: owners besides the office
    "evidence/03-计划/03.1-各单位年度总结/2025-市教育局-总结.pdf": {WJW, JYJ, ZS},  # per-unit: all suppliers
    "evidence/03/03.1/2025-市教育局-总结.pdf": {WJW, JYJ, ZS},  # bare folder names too
    "evidence/03_计划/03.1_总结/a.pdf": {WJW, JYJ, ZS},  # "_" label separator
    "evidence/03-计划/03.10-大事记/2025-市卫健委-大事记.pdf": {WJW},  # 03.10 is NOT 03.1
    "evidence/03-计划/03.2-年度工作计划/2025-市卫健委-计划.pdf": {WJW},  # lead's item folder
    "evidence/01-组织/01.1-规范性文件/x.pdf": {OFFICE},
    "evidence/10-环境/10.1/x.pdf": set(),  # 市城管局 has no accounts: office only
    "evidence/30-其他/x.pdf": set(),
    "evidence/031/x.pdf": set(),  # not item 03
    "standards/local/units.yml": set(),
    "README.md": set(),
}


@pytest.mark.parametrize("path", PATHS)
def test_gitlab_owners_per_path(project, path):
    text = codeowners_text(project, flavor="gitlab")
    assert gitlab_owners(text, path) == {OFFICE} | PATHS[path]


@pytest.mark.parametrize("path", PATHS)
def test_gitea_owners_per_path(project, path):
    text = codeowners_text(project, flavor="gitea")
    assert gitea_owners(text, path) == {OFFICE} | PATHS[path]


def test_gitlab_lines(project):
    lines = codeowners_text(project, flavor="gitlab").splitlines()
    assert f"* {OFFICE}" in lines
    assert lines.index(f"* {OFFICE}") < lines.index("[第一类 爱国卫生组织管理]")
    assert "[第三类 市容环境卫生]" not in lines  # nobody with an account leads item 10
    assert f"/evidence/03/ {WJW}" in lines
    assert f"/evidence/03[-_]*/ {WJW}" in lines
    for folder in ("/evidence/03/03.1/", "/evidence/03/03.1[-_]*/", "/evidence/03[-_]*/03.1/",
                   "/evidence/03[-_]*/03.1[-_]*/"):
        assert f"{folder} {WJW} {JYJ} {ZS}" in lines
    # The material line comes after its item line: in GitLab the last match wins.
    assert lines.index(f"/evidence/03[-_]*/03.1[-_]*/ {WJW} {JYJ} {ZS}") > lines.index(f"/evidence/03[-_]*/ {WJW}")


def test_units_without_accounts_are_listed_for_the_office(project):
    for flavor in ("gitlab", "gitea"):
        text = codeowners_text(project, flavor=flavor)
        assert "#   市城管局：牵头第 10 项；提供材料 03.1" in text.splitlines()


def test_gitea_lines_escape_the_dot_and_drop_what_gitea_cannot_use(project):
    lines = codeowners_text(project, flavor="gitea").splitlines()
    assert f".* {OFFICE}" in lines
    assert f"evidence/03([-_][^/]*)?/03\\\\.1([-_][^/]*)?/.* {WJW} {JYJ} {ZS}" in lines


def test_invalid_accounts_are_reported_not_written():
    project = make_project()
    project.plan.units["市城管局"].accounts = ("@city/cgj extra", "@a/b/c")
    gitlab = codeowners_text(project, flavor="gitlab")
    gitea = codeowners_text(project, flavor="gitea")
    assert "#   市城管局：@city/cgj extra" in gitlab
    assert "@a/b/c" in [line.split()[-1] for line in gitlab.splitlines() if line.startswith("/evidence/10/")]
    # Gitea teams are exactly org/team: a nested group is skipped there.
    assert "#   市城管局：@a/b/c" in gitea
    assert not any(line.startswith("evidence/10") for line in gitea.splitlines())


def test_no_office_account_means_no_default_line():
    project = make_project()
    project.plan.units["市爱卫办"].accounts = ()
    text = codeowners_text(project, flavor="gitlab")
    assert "没有配置 accounts，没有默认负责人" in text
    assert not any(line.startswith("* ") for line in text.splitlines())


def test_command_writes_the_flavours_default_path(tmp_path, monkeypatch, capsys):
    import handbook.load.project

    monkeypatch.setattr(handbook.load.project, "load_project", lambda root, **kw: make_project(root))
    args = argparse.Namespace(root=tmp_path, today=None, flavor="gitea", out=None, office=None)
    assert codeowners_command.run(args) == 0
    written = (tmp_path / ".gitea" / "CODEOWNERS").read_text(encoding="utf-8")
    assert written == codeowners_text(make_project(), flavor="gitea")
    args = argparse.Namespace(root=tmp_path, today=None, flavor="gitlab", out=None, office="爱卫所")
    assert codeowners_command.run(args) == 1
    assert "爱卫办" in capsys.readouterr().err  # nearest valid name suggested


def test_real_plan_accounts_reach_the_file(tmp_path, capsys):
    """units.yml → loader → CODEOWNERS: the accounts written in the real local plan appear."""
    import shutil

    import yaml

    from handbook.cli import main

    repo = Path(__file__).resolve().parent.parent
    shutil.copytree(repo / "standards", tmp_path / "standards")
    units = yaml.safe_load((tmp_path / "standards" / "local" / "units.yml").read_text(encoding="utf-8"))["units"]
    accounts = {a for u in units for a in u.get("accounts", [])}
    assert main(["--root", str(tmp_path), "codeowners"]) == 0
    text = (tmp_path / ".gitlab" / "CODEOWNERS").read_text(encoding="utf-8")
    rules = [line for line in text.splitlines() if line and not line.startswith(("#", "["))]
    owners = {token for line in rules for token in line.split()[1:]}
    assert accounts and owners <= accounts | {""}
    assert any(line.startswith("* @") for line in text.splitlines())
