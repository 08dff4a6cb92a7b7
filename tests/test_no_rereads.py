"""No hidden re-reads: git calls that compare the work tree ignore the ctime a site build's hard links change."""

from __future__ import annotations

import os
import subprocess

import pytest

from handbook.outputs import evidence_report
from handbook.outputs.package import provenance


def _repo(tmp_path):
    root = tmp_path / "city"
    (root / "evidence").mkdir(parents=True)
    (root / "evidence" / "2024-爱卫办-计划.pdf").write_bytes(b"%PDF-1.4\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(git + ["init", "-q"], cwd=root, check=True)
    subprocess.run(git + ["add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-qm", "init"], cwd=root, check=True)
    # What a site build does: a hard link elsewhere changes the evidence file's ctime, not its content.
    os.link(root / "evidence" / "2024-爱卫办-计划.pdf", tmp_path / "linked.pdf")
    return root


@pytest.mark.parametrize("module, args", [
    (provenance, ("status", "--porcelain", "-z")),
    (evidence_report, ("diff", "--name-only", "-z", "HEAD", "--", "evidence/")),
])
def test_git_work_tree_calls_do_not_trust_ctime(tmp_path, monkeypatch, module, args):
    root = _repo(tmp_path)
    seen = []
    real_run = subprocess.run

    def recording_run(argv, *a, **k):
        seen.append(list(argv))
        return real_run(argv, *a, **k)

    monkeypatch.setattr(module.subprocess, "run", recording_run)
    output = module._git(root, *args)
    assert output == ""  # nothing changed: the hard link is not a change
    assert len(seen) == 1
    argv = seen[0]
    assert argv[argv.index("core.trustctime=false") - 1] == "-c"
    assert argv.index("core.trustctime=false") < argv.index(args[0])  # a git option, before the command
