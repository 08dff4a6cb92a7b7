"""Helpers shared by test modules (a module of its own: tests/hostile has a conftest of the same name)."""

import os
from pathlib import Path


def check_golden(path: Path, text: str) -> None:
    """Compare ``text`` with the golden file ``path``; ``UPDATE_GOLDEN=1`` rewrites it (read the diff before
    committing). One rule for every golden file of the suite."""
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"缺少金标准文件 {path}；用 UPDATE_GOLDEN=1 生成后检查差异"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} 与金标准不同；确认是有意修改后用 UPDATE_GOLDEN=1 更新"


def require_soffice() -> str:
    """The soffice binary for tests of real conversions: skipped without LibreOffice, failed under CI=true."""
    import pytest

    from handbook.outputs.package.convert import find_soffice

    found = find_soffice()
    if not found:
        reason = "未安装 LibreOffice（soffice）：运行 scripts/system-deps.sh 安装"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true 时 LibreOffice 测试不能跳过：{reason}")
        pytest.skip(reason)
    return found
