"""Git calls that cannot silently give up (issue 17): the package's git status is cheap and a timeout is said."""

from __future__ import annotations

import subprocess

from handbook.outputs.package import provenance


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
