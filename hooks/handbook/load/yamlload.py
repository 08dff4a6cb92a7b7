"""YAML that remembers lines, rejects duplicate keys and guesses no types.

Plain ``yaml.safe_load`` keeps the last of two duplicate keys, turns ``yes`` into True and
crashes without a line on ``2025-13-01``. This loader:

- returns ``LineDict``/``LineList`` (a dict/list that also knows the line of every key and value);
- reports every duplicate key with both lines, and keeps the first value;
- resolves only ``true``/``false`` as booleans, decimal integers (``08`` is 8, never octal),
  floats and null; dates stay text so that ``Fields.date`` can say which line is wrong;
- turns a syntax error into a Diagnostic with the file and line.

``Fields`` is the strict, typed reader used by the standard and plan loaders.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from handbook.problems import did_you_mean, error, listing, warning
from handbook.model import Diagnostic, Where
from handbook.load.yamlbounds import bounded_repr, check_limits
from handbook.util.faults import processing

log = logging.getLogger(__name__)

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_DECIMAL_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")


class LineDict(dict):
    """A mapping that knows where it starts and where each key and value is (1-based lines)."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}
        self.value_lines: dict[Any, int] = {}

    def key_line(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: Any) -> int:
        return self.value_lines.get(key, self.key_line(key))


class LineList(list):
    """A sequence that knows where it starts and where each element is."""

    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def item_line(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def _without(resolvers: dict, tags: set[str]) -> dict:
    return {first: [(tag, rx) for tag, rx in pairs if tag not in tags] for first, pairs in resolvers.items()}


# libyaml's parser when PyYAML was built with it (5× faster on the standard's 100 KB; the resolver and the
# constructors below stay Python, so the behaviour is the same), else the pure-Python one.
if TYPE_CHECKING:
    _BASE_LOADER = yaml.SafeLoader  # CSafeLoader has the same interface
else:
    _BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineLoader(_BASE_LOADER):
    """SafeLoader with line-keeping containers, duplicate detection and no type guessing."""

    yaml_implicit_resolvers = _without(_BASE_LOADER.yaml_implicit_resolvers, {_BOOL_TAG, _INT_TAG, _TIMESTAMP_TAG})

    def __init__(self, stream: Any, file: str = "<yaml>") -> None:
        super().__init__(stream)
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def where(self, node: yaml.Node) -> Where:
        return Where(self.file, node.start_mark.line + 1)


LineLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
LineLoader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?[0-9][0-9_]*$"), list("-+0123456789"))


def _construct_int(loader: LineLoader, node: yaml.ScalarNode) -> int | str:
    text = loader.construct_scalar(node)
    if _DECIMAL_INT.match(text):
        digits = text.replace("_", "")
        if len(digits) > 100:  # int() refuses past 4,300 digits; no count or year is this long: keep it as text
            return text
        return int(digits, 10)
    return yaml.SafeLoader.construct_yaml_int(loader, node)  # explicit !!int 0x.. forms


def _duplicate_keys(loader: LineLoader, node: yaml.MappingNode) -> set[int]:
    """Report duplicate keys (both lines); return the indexes of the pairs to skip."""
    seen: dict[Any, yaml.Node] = {}
    skip: set[int] = set()
    for index, (key_node, _value) in enumerate(node.value):
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node)
        if key in seen:
            first = seen[key].start_mark.line + 1
            loader.diagnostics.append(
                error(
                    loader.where(key_node),
                    f"键“{key}”重复出现（第 {first} 行已有）",
                    f"删去或合并其中一处；同一层级的键不能重复（现在只采用第 {first} 行的值）",
                    "duplicate-key",
                )
            )
            skip.add(index)
        else:
            seen[key] = key_node
    return skip


def _fill_mapping(loader: LineLoader, data: LineDict, node: yaml.MappingNode) -> None:
    skip = _duplicate_keys(loader, node)
    node.value = [pair for index, pair in enumerate(node.value) if index not in skip]
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            loader.diagnostics.append(
                error(loader.where(key_node), "键不能是列表或映射", "把键写成一个简单的文字或数字", "bad-key")
            )
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1
        data.value_lines[key] = value_node.start_mark.line + 1


def _construct_map(loader: LineLoader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    _fill_mapping(loader, data, node)


def _construct_seq(loader: LineLoader, node: yaml.SequenceNode):
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)
    data.item_lines = [child.start_mark.line + 1 for child in node.value]


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
LineLoader.add_constructor(_INT_TAG, _construct_int)


_SYNTAX_HINTS = (
    ("mapping values are not allowed", "这里不能出现“键: 值”：多半是缩进不对，或文字里有冒号却没加引号"),
    ("could not find expected ':'", "找不到冒号：键后面要有“: ”，或这一行的缩进不对"),
    ("expected ',' or ']'", "方括号列表 [ … ] 没有正确结束"),
    ("expected ',' or '}'", "花括号映射 { … } 没有正确结束"),
    ("cannot start any token", "出现了不能开头的字符（例如用 Tab 缩进，或文字以 @、` 开头却没加引号）"),
    ("expected <block end>", "缩进不一致：同一层级的行要对齐"),
    ("found unexpected end of stream", "引号或括号没有成对，文件就结束了"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("expected a single document", "文件里只能有一个文档（不要用 --- 分成多段）"),
)


def _translate(problem: str) -> str:
    for english, chinese in _SYNTAX_HINTS:
        if english in problem:
            return chinese
    return "无法解析"


def _syntax_error(file: str, exc: yaml.YAMLError) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    problem = str(getattr(exc, "problem", None) or exc).strip()
    context = getattr(exc, "context_mark", None)
    started = f"（从第 {context.line + 1} 行开始）" if context is not None and context.line + 1 != line else ""
    return error(
        Where(file, line),
        f"YAML 格式错误：{_translate(problem)}{started}（{problem}）",
        "检查这一行及上一行的缩进、冒号后的空格、引号和括号是否成对；含冒号或 # 的文字请加引号",
        "yaml-syntax",
    )


def load_yaml_text(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """Parse ``text``; ``file`` is the name used in messages. Never raises for bad YAML."""
    with processing(file):
        return _load_text(text, file)


def _load_text(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    too_much = check_limits(text, file)
    if too_much is not None:
        return None, [too_much]
    loader = LineLoader(text, file)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        return None, [*loader.diagnostics, _syntax_error(file, exc)]
    finally:
        loader.dispose()
    return data, loader.diagnostics


def load_yaml(path: Path, file: str) -> tuple[Any, list[Diagnostic]]:
    """Read and parse ``path``; ``file`` is its name in messages (relative to the project root)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            error(Where(file), f"文件不是 UTF-8 编码（第 {exc.start} 字节）", "用 UTF-8 编码另存此文件", "encoding")
        ]
    except OSError as exc:
        return None, [error(Where(file), f"无法读取文件：{exc.strerror}", "检查文件是否存在、是否有读权限", "unreadable")]
    return load_yaml_text(text, file)


# --------------------------------------------------------------------------- strict typed access


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

    def __init__(self, file: str, diagnostics: list[Diagnostic]) -> None:
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
    diagnostics: list[Diagnostic],
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
