"""YAML that remembers lines, rejects duplicate keys and guesses no types.

Plain ``yaml.safe_load`` keeps the last of two duplicate keys, turns ``yes`` into True and
crashes without a line on ``2025-13-01``. This loader:

- returns ``LineDict``/``LineList`` (a dict/list that also knows the line of every key and value);
- reports every duplicate key with both lines, and keeps the first value;
- resolves only ``true``/``false`` as booleans, decimal integers (``08`` is 8, never octal),
  floats and null; dates stay text so that ``Fields.date`` can say which line is wrong;
- turns a syntax error into a Problem with the file and line.

``handbook.load.fields`` reads what it returns, strictly and with types.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from handbook.problems import error
from handbook.model import Problem, Where
from handbook.load.yamlbounds import check_limits
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
        self.diagnostics: list[Problem] = []

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


_TAG = re.compile(r"constructor for the tag '([^']{0,80})")


def _syntax_error(file: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    problem = str(getattr(exc, "problem", None) or exc).strip()
    tag = _TAG.search(problem)
    if tag:  # !!python/…, !!binary, !foo: a type tag; the data files hold only text, numbers, lists and mappings
        return error(
            Where(file, line),
            f"不支持 YAML 标签“{tag.group(1).replace('tag:yaml.org,2002:', '!!')}”：本项目的数据文件只写文字、数字、列表和键值",
            "删掉以 ! 开头的标签；要写以 ! 开头的文字时请加引号",
            "yaml-tag",
        )
    context = getattr(exc, "context_mark", None)
    started = f"（从第 {context.line + 1} 行开始）" if context is not None and context.line + 1 != line else ""
    return error(
        Where(file, line),
        f"YAML 格式错误：{_translate(problem)}{started}（{problem}）",
        "检查这一行及上一行的缩进、冒号后的空格、引号和括号是否成对；含冒号或 # 的文字请加引号",
        "yaml-syntax",
    )


def load_yaml_text(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse ``text``; ``file`` is the name used in messages. Never raises for bad YAML."""
    with processing(file):
        return _load_text(text, file)


def _load_text(text: str, file: str) -> tuple[Any, list[Problem]]:
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


def load_yaml(path: Path, file: str) -> tuple[Any, list[Problem]]:
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
