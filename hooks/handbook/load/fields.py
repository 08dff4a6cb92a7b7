"""Strict, typed reading of what ``yamlload`` returns: every wrong type, range or name becomes a Chinese
Problem with the file, the line and the fix, and the reader gets None instead of an exception."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from handbook.problems import did_you_mean, error, listing, warning
from handbook.model import Problem, Where
from handbook.load.yamlbounds import bounded_repr
from handbook.load.yamlload import LineDict, LineList, load_yaml


def type_name(value: Any) -> str:
    """How a value's type reads in a Chinese message."""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "小数"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "映射（键: 值）"
    if isinstance(value, dt.date):
        return "日期"
    return type(value).__name__


def shown(value: Any, limit: int = 40) -> str:
    """``value`` as a message quotes it, at most ``limit`` characters; never builds more than that.

    (It once called repr() on the whole value first: a 337-byte alias bomb took 3.4 GB.)"""
    text = value if isinstance(value, str) else bounded_repr(value, limit + 1)
    return text if len(text) <= limit else text[: limit - 3] + "…"


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Source:
    """One input file: its name in messages and the shared list of diagnostics."""

    def __init__(self, file: str, diagnostics: list[Problem]) -> None:
        self.file = file
        self.diagnostics = diagnostics

    def where(self, line: int = 0) -> Where:
        return Where(self.file, line)

    def error(self, line: int, problem: str, fix: str = "", code: str = "") -> None:
        self.diagnostics.append(error(self.where(line), problem, fix, code))

    def warning(self, line: int, problem: str, fix: str = "", code: str = "") -> None:
        self.diagnostics.append(warning(self.where(line), problem, fix, code))

    def wrong_type(self, line: int, label: str, value: Any, expected: str, fix: str = "") -> None:
        self.error(
            line,
            f"{label}应为{expected}，实际写的是{type_name(value)}“{shown(value)}”",
            fix or f"改为{expected}",
            "wrong-type",
        )


class Fields:
    """Strict typed reader for one YAML mapping; reports problems and returns None instead of raising.

    ``label`` names the mapping in messages, e.g. "第 3 项事项"; unknown keys are errors with the
    nearest known key, missing required keys are errors at the mapping's first line.
    """

    def __init__(
        self,
        src: Source,
        data: LineDict,
        label: str,
        known: Sequence[str],
        required: Sequence[str] = (),
    ) -> None:
        self.src = src
        self.data = data
        self.label = label
        self._required = frozenset(required)
        self._check_keys(known, required)

    @classmethod
    def of(cls, src: Source, value: Any, line: int, label: str, known: Sequence[str], required: Sequence[str] = ()):
        """A reader for ``value`` if it is a mapping, else report it and return None."""
        if not isinstance(value, dict):
            src.wrong_type(line, label, value, "映射（键: 值）")
            return None
        return cls(src, cast(LineDict, value), label, known, required)

    def _check_keys(self, known: Sequence[str], required: Sequence[str]) -> None:
        for key in self.data:
            if key not in known:
                self.src.error(
                    self.line_of_key(key),
                    f"{self.label}中有未知字段“{key}”",
                    did_you_mean(key, known, fallback=f"可用的字段：{listing(known)}"),
                    "unknown-field",
                )
        for key in required:
            if key not in self.data:
                self.src.error(
                    self.data.line, f"{self.label}缺少必填字段“{key}”", f"补上 {key}: …", "missing-field"
                )
            elif self.data[key] is None:  # "key:" with nothing after it would otherwise read as absent
                self.src.error(self.line_of_key(key), f"{self.label}的“{key}”不能为空", f"在 {key}: 后写上它的值", "empty-field")

    # -- places

    def line(self, key: str) -> int:
        return self.data.value_line(key) if isinstance(self.data, LineDict) else 0

    def line_of_key(self, key: Any) -> int:
        return self.data.key_line(key) if isinstance(self.data, LineDict) else 0

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def _label(self, key: str) -> str:
        return f"{self.label}的“{key}”"

    # -- scalars

    def integer(self, key: str, *, lo: int | None = None, hi: int | None = None, default: int | None = None) -> int | None:
        if not self.has(key):
            return default
        return check_int(self.src, self.raw(key), self.line(key), self._label(key), lo=lo, hi=hi)

    def number(self, key: str) -> float | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.src.wrong_type(self.line(key), self._label(key), value, "数字", "写成不带单位和引号的数字，如 75 或 9.5")
            return None
        return value

    def text(self, key: str, default: str | None = "") -> str | None:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self.src.wrong_type(self.line(key), self._label(key), value, "文字", f"用引号括起来：{key}: \"{shown(value)}\"")
            return default
        return value.strip()

    def required_text(self, key: str, what: str = "") -> str | None:
        """The text of a required field, or None; "" or blanks are an error, never a silent skip.

        A field declared ``required`` that is missing or null is reported by the key check already;
        ``what`` names the value in the fix, e.g. "材料名称".
        """
        if key in self.data and self.raw(key) is None and key not in self._required:
            self.src.error(self.line_of_key(key), f"{self.label}的“{key}”不能为空", f"在 {key}: 后写上{what or '它的值'}", "empty-field")
            return None
        text = self.text(key, None)
        if text == "":
            fix = f"写上{what or key}" + "（不能只写引号或空格）"
            self.src.error(self.line(key), f"{self.label}的“{key}”不能为空", fix, "empty-field")
            return None
        return text

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.src.wrong_type(self.line(key), self._label(key), value, " true 或 false", "只写 true 或 false（yes/no、是/否 都不算）")
            return default
        return value

    def date(self, key: str) -> dt.date | None:
        if not self.has(key):
            return None
        return check_date(self.src, self.raw(key), self.line(key), self._label(key))

    # -- containers

    def sequence(self, key: str) -> LineList | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.src.wrong_type(self.line(key), self._label(key), value, "列表", f"写成列表，如 {key}: [a, b]")
            return None
        return cast(LineList, value)

    def mapping(self, key: str) -> LineDict | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.src.wrong_type(self.line(key), self._label(key), value, "映射（键: 值）")
            return None
        return cast(LineDict, value)

    def int_list(self, key: str, *, lo: int | None = None, hi: int | None = None) -> list[tuple[int, int]]:
        """``[(value, line)]`` of the valid integers; each bad one is reported."""
        values = self.sequence(key)
        if values is None:
            return []
        out: list[tuple[int, int]] = []
        for index, value in enumerate(values):
            line = values.item_line(index)
            number = check_int(self.src, value, line, self._label(key), lo=lo, hi=hi)
            if number is not None:
                out.append((number, line))
        return out

    def text_list(self, key: str) -> list[tuple[str, int]]:
        values = self.sequence(key)
        if values is None:
            return []
        out: list[tuple[str, int]] = []
        for index, value in enumerate(values):
            line = values.item_line(index)
            if isinstance(value, str) and value.strip():
                out.append((value.strip(), line))
            else:
                self.src.wrong_type(line, f"{self._label(key)}中的一项", value, "非空文字")
        return out


def check_int(src: Source, value: Any, line: int, label: str, *, lo: int | None = None, hi: int | None = None) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        src.wrong_type(line, label, value, "整数", "写成不带引号的整数，如 3")
        return None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        src.error(line, f"{label}“{value}”超出范围", f"应在 {lo}–{hi} 之间", "out-of-range")
        return None
    return value


def check_date(src: Source, value: Any, line: int, label: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not isinstance(value, str) or not _DATE.match(text):
        src.error(line, f"{label}“{shown(value)}”不是日期", "日期写成 YYYY-MM-DD，如 2026-06-30", "bad-date")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        src.error(line, f"{label}“{text}”不是真实存在的日期", "检查月份（1–12）和该月的天数", "bad-date")
        return None


def entries(top: Fields | None, key: str) -> list[tuple[Any, int]]:
    """The elements of the list ``key`` of a file's top level, each with its line."""
    values = top.sequence(key) if top is not None else None
    if values is None:
        return []
    return [(value, values.item_line(i)) for i, value in enumerate(values)]


def open_data_file(
    root: Path,
    rel: str,
    diagnostics: list[Problem],
    top_keys: Sequence[str],
    *,
    required: bool = True,
    required_keys: Sequence[str] = (),
) -> tuple[Source, Fields | None]:
    """Load ``root/rel`` (a file of standards/); return its Source and a reader of its top level.

    The reader is None when the file is missing, empty or unparsable: all of that is reported.
    ``required_keys`` must be there and not be empty.
    """
    src = Source(rel, diagnostics)
    path = root / rel
    if not path.is_file():
        if required:
            src.error(0, "缺少文件", f"按 standards/README.md 新建 {rel}", "missing-file")
        return src, None
    data, found = load_yaml(path, rel)
    diagnostics.extend(found)
    if data is None:
        if not found:  # an empty file parses to None without complaint
            src.error(0, "文件是空的", f"按 standards/README.md 写入 {'、'.join(top_keys)}", "empty-file")
        return src, None
    return src, Fields.of(src, data, getattr(data, "line", 1), f"{Path(rel).name} 顶层", top_keys, required_keys)
