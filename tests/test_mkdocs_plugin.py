"""The MkDocs edge: strict builds fail on project errors, settings resolve once, internals are where we left them."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_site_build import FIXTURE, ROOT, plugin_of, site_config


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    return tmp_path


def _build(config) -> None:
    from mkdocs.commands.build import build

    build(config)


def test_strict_build_fails_on_a_misspelt_unit_with_its_file_and_line(project, caplog):
    from mkdocs.exceptions import Abort

    assignments = project / "standards" / "local" / "assignments.yml"
    lines = assignments.read_text(encoding="utf-8").splitlines()
    number, line = next((n, text) for n, text in enumerate(lines, 1) if "lead: [" in text)
    unit = line.split("[", 1)[1].split(",")[0].split("]")[0].strip()
    lines[number - 1] = line.replace(unit, unit + "X", 1)
    assignments.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort, match="strict mode"):
        _build(site_config(project, strict=True, package=False))
    errors = [r for r in caplog.records if r.name == "mkdocs.plugins.handbook" and r.levelno == logging.ERROR]
    messages = [r.getMessage() for r in errors]
    assert messages[0] == f"standards/local/assignments.yml:{number}: 错误: 单位“{unit}X”不在 units.yml 中 — 是否应为“{unit}”？"
    assert all(m.startswith("standards/local/assignments.yml:") for m in messages)  # the fixture's only lead


def test_the_shipped_demo_has_no_project_problem_so_strict_passes():
    from handbook.load.project import load_project

    assert load_project(ROOT).diagnostics == []


def test_warnings_fail_strict_unless_fail_on_is_error(project, caplog):
    from mkdocs.exceptions import Abort

    units = project / "standards" / "local" / "units.yml"  # a unit with no duty: a warning, not an error
    units.write_text(units.read_text(encoding="utf-8").replace("units:\n", "units:\n  - name: 市闲置局\n    slug: xianzhi\n    kind: 市直部门\n", 1), encoding="utf-8")
    from handbook.load.project import load_project

    levels = {d.level.name for d in load_project(project).diagnostics}
    assert levels == {"WARNING"}, "the fixture change must give exactly a warning"
    with pytest.raises(Abort):
        _build(site_config(project, strict=True, package=False))
    _build(site_config(project, strict=True, package=False, fail_on="error"))  # now only logged at INFO


def test_a_misspelt_setting_stops_the_build_with_the_nearest_key(project):
    from mkdocs.exceptions import PluginError

    config = site_config(project, pakage=False)
    with pytest.raises(PluginError, match="没有设置 'pakage' — 是否应为 package"):
        config.plugins.on_config(config)


def test_an_unexpected_failure_is_a_plugin_error_in_chinese(project, monkeypatch):
    from mkdocs.exceptions import Abort

    import handbook.pipeline

    def broken(*args, **kwargs):
        raise KeyError("模拟的程序错误")

    monkeypatch.setattr(handbook.pipeline, "build_archive", broken)
    with pytest.raises(Abort):
        _build(site_config(project, package=False))


def test_a_failed_package_fails_strict_but_the_site_still_builds(project, monkeypatch, caplog):
    from mkdocs.exceptions import Abort

    import handbook.outputs.package as package

    def no_font(*args, **kwargs):
        raise package.FontMissingError("找不到中文字体（测试）")

    monkeypatch.setattr(package, "build_package", no_font)
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort):
        _build(site_config(project, strict=True))
    assert "材料包生成失败" in caplog.text and "找不到中文字体（测试）" in caplog.text
    _build(site_config(project))
    page = (project / "site" / "package" / "index.html").read_text(encoding="utf-8")
    assert "找不到中文字体（测试）" in page


# --------------------------------------------------------------------------- one settings resolution


def _cli_today(root: Path, flag: str | None, env: str | None) -> tuple[str, int]:
    """What ``python -m handbook export`` judges: its today and how many cells are overdue."""
    environment = {k: v for k, v in os.environ.items() if k != "HANDBOOK_TODAY"}
    environment["PYTHONPATH"] = str(ROOT / "hooks")
    if env:
        environment["HANDBOOK_TODAY"] = env
    command = [sys.executable, "-m", "handbook", "--root", str(root), "export", "--no-git"]
    if flag:
        command += ["--today", flag]
    out = subprocess.run(command, capture_output=True, text=True, env=environment, check=True).stdout
    data = json.loads(out)
    return data["today"], sum(1 for c in data["cells"] if c["status"] == "逾期")


def _site_today(root: Path, flag: str | None, env: str | None, monkeypatch) -> tuple[str, int]:
    monkeypatch.delenv("HANDBOOK_TODAY", raising=False)
    if env:
        monkeypatch.setenv("HANDBOOK_TODAY", env)
    config = site_config(root, package=False, today=flag)
    config.plugins.on_config(config)
    archive = plugin_of(config).archive()
    return archive.project.plan.today.isoformat(), sum(1 for c in archive.cells if c.status.value == "逾期")


@pytest.mark.parametrize("flag", [None, "2025-03-01"])
@pytest.mark.parametrize("env", [None, "2026-01-15"])
@pytest.mark.parametrize("city", [None, "2024-06-30"])
def test_cli_and_site_agree_on_today_and_overdue_cells(project, monkeypatch, flag, env, city):
    city_file = project / "standards" / "local" / "city.yml"
    text = "\n".join(line for line in city_file.read_text(encoding="utf-8").splitlines() if not line.startswith("today:"))
    city_file.write_text(text + (f"\ntoday: {city}\n" if city else "\n"), encoding="utf-8")
    expected = flag or env or city  # the documented precedence: flag, environment, city.yml, system date
    site = _site_today(project, flag, env, monkeypatch)
    cli = _cli_today(project, flag, env)
    assert site == cli
    if expected:
        assert site[0] == expected


# --------------------------------------------------------------------------- the edge stays thin


def test_private_internals_are_where_they_were_checked():
    from handbook_mkdocs.internals import MATERIAL_CHECKED, MKDOCS_CHECKED, missing_internals

    import material
    import mkdocs

    assert missing_internals() == []
    assert (mkdocs.__version__, getattr(material, "__version__", MATERIAL_CHECKED)) == (MKDOCS_CHECKED, MATERIAL_CHECKED)


def test_the_hook_is_a_few_lines_and_only_the_adapter_imports_mkdocs():
    hook = (ROOT / "hooks" / "mkdocs_hook.py").read_text(encoding="utf-8")
    assert len(hook.splitlines()) <= 30
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "hooks" / "handbook").rglob("*.py")
                 if any(line.lstrip().startswith(("import mkdocs", "from mkdocs", "import material", "from material"))
                        for line in p.read_text(encoding="utf-8").splitlines())]
    assert offenders == []


def test_default_package_output_is_outside_site(tmp_path):
    from handbook.settings import resolve

    settings = resolve(tmp_path)
    assert settings.package_dir == tmp_path.resolve() / ".cache" / "handbook" / "package"
    assert resolve(tmp_path, package_out=tmp_path / "out").package_dir == (tmp_path / "out").resolve()


def test_the_native_watcher_ignores_reads_so_a_build_does_not_start_the_next(tmp_path):
    # A build reads standards/ and evidence/: with opened / closed-unwritten events the serve loop never rests.
    import threading
    import time

    from watchdog.events import FileSystemEventHandler

    from handbook_mkdocs.internals import changes_only_observer

    watched = tmp_path / "standards"
    watched.mkdir()
    (watched / "items.yml").write_text("a: 1\n", encoding="utf-8")
    seen: list[str] = []
    got = threading.Event()

    class Record(FileSystemEventHandler):
        def on_any_event(self, event):
            seen.append(event.event_type)
            got.set()

    observer = changes_only_observer()
    observer.schedule(Record(), str(watched), recursive=True)
    observer.start()
    try:
        (watched / "items.yml").read_text(encoding="utf-8")
        time.sleep(0.5)
        assert seen == []  # reading is not a change
        (watched / "items.yml").write_text("a: 2\n", encoding="utf-8")
        assert got.wait(5)
        assert "modified" in seen
    finally:
        observer.stop()
        observer.join()
