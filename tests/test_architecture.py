"""The folders show the pipeline, and imports keep running one way through it (issue 14).

load → scan → judge → render → outputs, with util, model and problems below them all and the commands on
top. A module may import its own stage and the stages before it, never one after it: the day scan imports
render, a change to a page can break the scanner. The layers are written out here, not read from the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HOOKS = Path(__file__).resolve().parents[1] / "hooks"
CORE = HOOKS / "handbook"

# Lowest first. A module in a layer may import any layer at or below its own.
LAYERS = (
    ("handbook", "util"),  # the package root (its version) and the small helpers
    ("model", "problems"),
    ("settings",),
    ("load",),
    ("scan",),
    ("judge",),
    ("pipeline",),  # load → scan → judge in one call
    ("render",),
    ("outputs",),
    ("commands",),
    ("cli", "__main__"),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "handbook"


def core_modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "__pycache__" not in p.parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in the file, functions' deferred imports included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(HOOKS).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_stage_of_the_core_has_a_layer():
    stages = {stage_of(module_name(p)) for p in core_modules()}
    assert stages - set(RANK) == set(), "a new folder or module: give it its place in LAYERS"
    assert {"load", "scan", "judge", "render", "outputs", "util"} <= {p.name for p in CORE.iterdir() if p.is_dir()}


def test_imports_run_one_way_through_the_pipeline():
    backwards = []
    for path in core_modules():
        own = stage_of(module_name(path))
        for line, module in imports_of(path):
            if module == "handbook" or module.startswith("handbook."):
                target = stage_of(module)
                if RANK[target] > RANK[own]:
                    backwards.append(f"{path.relative_to(HOOKS)}:{line} ({own}) imports {module} ({target})")
    assert backwards == []


def test_only_the_adapter_imports_mkdocs_or_material():
    offenders = [
        f"{path.relative_to(HOOKS)}:{line} imports {module}"
        for path in core_modules()
        for line, module in imports_of(path)
        if module.split(".")[0] in ("mkdocs", "material")
    ]
    assert offenders == []


@pytest.mark.parametrize("source, expected", [
    ("from handbook.render.context import anchor\n", [(1, "handbook.render.context")]),
    ("def f():\n    import handbook.outputs.export\n", [(2, "handbook.outputs.export")]),
    ("from . import sibling\n", []),  # relative: stays inside its own package
])
def test_the_import_reader_sees_deferred_imports(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert imports_of(path) == expected


def test_a_backward_import_would_be_caught():
    """The rule itself: scan importing render is the kind of edge the test above must refuse."""
    assert RANK[stage_of("handbook.render.charts")] > RANK[stage_of("handbook.scan.evidence")]
    assert RANK[stage_of("handbook.load.plan")] < RANK[stage_of("handbook.judge.cells")]


def test_no_core_module_is_over_the_size_a_reader_can_hold():
    """Issue 14: no module over ~400 lines (450 allows a docstring's growth, not a second concern)."""
    long = {str(p.relative_to(HOOKS)): n for p in core_modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}
