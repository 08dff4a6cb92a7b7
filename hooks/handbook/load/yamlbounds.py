"""Bounded work for any YAML a department commits: limits checked before anything is built, and a repr
that stops at the length a message shows.

The limits are checked on the parser's event stream (flat, nothing built), so a "billion laughs" of 337 bytes
or 100,000 opening brackets cost one pass of libyaml, and the message names the file and line.
"""

from __future__ import annotations

from typing import Any

import yaml

from handbook.model import Problem, Where
from handbook.problems import error

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Any of 40–80 departments can commit a YAML file, so its cost must be bounded before it is built. The
# standard (the largest file we ship, ~100 KB) is 9 levels deep with ~12,000 nodes; these limits are far
# above any real file and far below what hurts (a 337-byte "billion laughs" expands to 387 million nodes).
MAX_CHARS = 4_000_000
MAX_DEPTH = 50
MAX_NODES = 200_000  # counted with every alias expanded: what a reader of the built value walks


def _limit(file: str, line: int, problem: str, fix: str) -> Problem:
    return error(Where(file, line), problem, fix, "yaml-limit")


def check_limits(text: str, file: str) -> Problem | None:
    """The first limit ``text`` breaks (size, nesting depth, nodes, alias expansion), else None.

    Streams parser events (flat: no recursion, nothing built), so a hostile file costs one pass of the
    parser. Syntax errors are left to the loader, which explains them."""
    if len(text) > MAX_CHARS:
        return _limit(file, 0, f"文件有 {len(text):,} 个字符，超过上限 {MAX_CHARS:,}",
                      "配置和说明文件只需几百 KB；检查是否误把数据或别的文件存成了这个名字")
    parser = _BASE_LOADER(text)
    try:
        return _walk_events(parser, file)
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()


def _walk_events(parser: Any, file: str) -> Problem | None:
    open_at: list[tuple[str | None, int]] = []  # per open collection: its anchor, the count when it opened
    sizes: dict[str, int] = {}  # anchor → nodes it stands for, aliases inside it expanded
    expanded = 0
    while parser.check_event():
        event = parser.get_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:
                return _limit(file, line, f"别名 *{event.anchor} 引用了包含它自己的锚点（无限嵌套）",
                              f"删去 *{event.anchor}，把要重复的内容直接写出来")
            expanded += sizes[event.anchor]
            if expanded > MAX_NODES:
                return _limit(file, line, f"别名（*{event.anchor}）展开后超过 {MAX_NODES:,} 个值，像是“十亿笑声”式的构造",
                              "不要用 & 锚点和 * 别名层层套用；把需要的值直接写出来")
        elif isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            expanded += 1
            if expanded > MAX_NODES:
                return _limit(file, line, f"文件中的值超过 {MAX_NODES:,} 个", "拆分或精简这个文件；配置文件不应这么大")
            if isinstance(event, yaml.CollectionStartEvent):
                open_at.append((event.anchor, expanded - 1))
                if len(open_at) > MAX_DEPTH:
                    return _limit(file, line, f"列表或映射嵌套超过 {MAX_DEPTH} 层",
                                  "检查是否多写了括号或缩进；这里的文件只需要几层")
            elif event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = open_at.pop()
            if anchor:
                sizes[anchor] = expanded - before
    return None



def bounded_repr(value: Any, budget: int) -> str:
    """repr(value) cut to about ``budget`` characters, built only that far (aliases can make a value huge)."""
    return "".join(_pieces_until(value, budget))


def _pieces_until(value: Any, budget: int):
    """The pieces of ``value``'s repr while they fit in ``budget`` characters (then one more, to cut)."""
    used = 0
    for piece in _pieces(value, 0, budget):
        yield piece
        used += len(piece)
        if used > budget:
            return


def _pieces(value: Any, depth: int, budget: int):
    # Every level opens with a bracket, so depth never exceeds the budget: the recursion is bounded.
    if depth > budget:
        yield "…"
    elif isinstance(value, (list, tuple)):
        yield "["
        for index, item in enumerate(value):
            yield ", " if index else ""
            yield from _pieces(item, depth + 1, budget)
        yield "]"
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ", " if index else ""
            yield from _pieces(key, depth + 1, budget)
            yield ": "
            yield from _pieces(item, depth + 1, budget)
        yield "}"
    elif isinstance(value, str):
        yield repr(value[:budget])
    else:
        try:
            yield repr(value)[:budget]
        except ValueError:  # an int past Python's 4,300-digit limit
            yield "<很长的数字>"
