"""The unexpected, said in Chinese: what was being processed, what went wrong, what to do; never a traceback.

Every command (``handbook.cli.main``) and the MkDocs plugin catch what nothing else did and turn it into
``unexpected_message(exc)``. The file being processed is known because the stages that read department
files say so through ``processing(name)``; it is a best guess under threads (the last one started).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager

DEBUG_ENV = "HANDBOOK_DEBUG"  # set to 1 to see the traceback (for the maintainers)
DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})

_current: list[str] = [""]


@contextmanager
def processing(name: str) -> Iterator[None]:
    """Mark ``name`` (a path as shown in messages) as the file being processed while the block runs."""
    before = _current[0]
    _current[0] = name
    yield  # on an exception the name stays: the catch-all that reports it runs after this block
    _current[0] = before


def current_file() -> str:
    return _current[0]


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL


def disk_full_message(target: str) -> str:
    """Disk full while writing ``target``: the evidence read is not to blame."""
    return (f"磁盘空间不足，写入 {target} 时失败 — 佐证文件本身没有问题。"
            "请清理这台机器的磁盘（或把输出放到空间足够的磁盘）后重新运行")


def _what(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "内存不足"
    if isinstance(exc, RecursionError):
        return "内容嵌套过深"
    if isinstance(exc, OSError):
        return f"系统错误 {errno.errorcode.get(exc.errno or 0, exc.errno)}：{exc.strerror or ''}".rstrip("：")
    return f"程序内部错误 {type(exc).__name__}"


def unexpected_message(exc: BaseException) -> str:
    """One Chinese paragraph for an exception nothing else caught (no traceback, no English stack)."""
    name = current_file()
    if is_disk_full(exc):
        return disk_full_message(getattr(exc, "filename", None) or name or "输出文件")
    where = f"处理 {name} 时" if name else "运行时"
    return (f"{where}出现意外错误（{_what(exc)}），已停止。"
            f"{'请先检查这个文件是否完整、格式是否正确；' if name else ''}"
            f"若问题仍在，请把这条消息发给维护者（设置环境变量 {DEBUG_ENV}=1 重新运行可看到详细信息）")


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")
