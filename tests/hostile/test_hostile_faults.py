"""No traceback ever (issue 17): the unexpected is said in Chinese, naming the file, and exits non-zero."""

from __future__ import annotations

import errno

from handbook import cli
from handbook.commands import check
from handbook.util import faults


def test_an_unexpected_error_names_the_file_and_exits_3(monkeypatch, capsys, tmp_path):
    def boom(args):
        with faults.processing("standards/local/city.yml"):
            raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(check, "run", boom)
    assert cli.main(["--root", str(tmp_path), "check"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("错误：处理 standards/local/city.yml 时出现意外错误（内容嵌套过深），已停止。")
    assert "Traceback" not in err


def test_disk_full_does_not_blame_the_evidence(monkeypatch, capsys, tmp_path):
    def full(args):
        with faults.processing("evidence/03/03.1/2024-市爱卫办-计划.pdf"):
            raise OSError(errno.ENOSPC, "No space left on device", "/tmp/out/材料包.zip")

    monkeypatch.setattr(check, "run", full)
    assert cli.main(["--root", str(tmp_path), "check"]) == 3
    assert capsys.readouterr().err == (
        "错误：磁盘空间不足，写入 /tmp/out/材料包.zip 时失败 — 佐证文件本身没有问题。"
        "请清理这台机器的磁盘（或把输出放到空间足够的磁盘）后重新运行\n")
