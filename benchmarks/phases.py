"""Where one ``mkdocs build`` spends its time: run in-process with timers around MkDocs' own steps.

``python benchmarks/phases.py PROJECT_DIR`` builds the project as ``mkdocs build`` does and prints JSON:
the hook's phases (from ``.cache/handbook/last-build.json``), Python-Markdown conversion (``Page.render``),
the search plugin's per-page work, the theme templates, and the rest (MkDocs' collection, writing, copying).
The floor of a site build is scan + Jinja (the hook's ``archive`` and ``render``) + theme: what is left when
no page goes through Markdown and search costs nothing.
"""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

TIMES: dict[str, float] = {}
_depth: dict[str, int] = {}


@contextmanager
def _timed(name: str):
    # Re-entrant: a timed call inside another call of the same name is counted once.
    _depth[name] = _depth.get(name, 0) + 1
    start = time.perf_counter()
    try:
        yield
    finally:
        _depth[name] -= 1
        if _depth[name] == 0:
            TIMES[name] = TIMES.get(name, 0.0) + time.perf_counter() - start


def _wrap(owner, attribute: str, name: str) -> None:
    original = getattr(owner, attribute)

    def timed(*args, **kwargs):
        with _timed(name):
            return original(*args, **kwargs)

    setattr(owner, attribute, timed)


def _instrument() -> None:
    from mkdocs.commands import build as build_module
    from mkdocs.structure.pages import Page

    _wrap(Page, "render", "markdown")
    _wrap(build_module, "_build_page", "pages")  # per page: context events (search), theme, write
    _wrap(build_module, "_build_theme_template", "theme_static")
    try:
        from material.plugins.search.plugin import SearchPlugin
    except ImportError:  # pragma: no cover - Material is a dependency
        return
    _wrap(SearchPlugin, "on_page_context", "search_pages")
    _wrap(SearchPlugin, "on_post_build", "search_index")


def measure(project: Path) -> dict:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.chdir(project)
    _instrument()
    start = time.perf_counter()
    config = load_config(config_file=str(project / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    total = time.perf_counter() - start
    stats_path = project / ".cache" / "handbook" / "last-build.json"
    hook = json.loads(stats_path.read_text(encoding="utf-8")).get("phases", {}) if stats_path.exists() else {}
    phases = {f"hook.{k}": v for k, v in hook.items()}
    pages = TIMES.pop("pages", 0.0)
    # What _build_page spends besides the search entry: the theme templates and the write. (Markdown is
    # converted earlier, in MkDocs' _populate_page loop.)
    TIMES["theme_and_write"] = pages - TIMES.get("search_pages", 0.0)
    phases.update({k: round(v, 3) for k, v in TIMES.items()})
    accounted = sum(hook.values()) + sum(TIMES.values())
    phases["mkdocs_rest"] = round(total - accounted, 3)
    theme = TIMES["theme_and_write"] + TIMES.get("theme_static", 0.0)
    floor = hook.get("archive", 0.0) + hook.get("render", 0.0) + theme
    return {"seconds": round(total, 3), "phases": phases, "floor_seconds": round(floor, 3)}


if __name__ == "__main__":
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    print(json.dumps(measure(Path(sys.argv[1]).resolve()), ensure_ascii=False))
