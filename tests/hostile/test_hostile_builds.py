"""Whole builds under faults (issue 17, round one held, now tested): a read-only checkout, two builds of one
tree at once, and restricted data, which never lands under site/ whatever command ran."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, TIME_LIMIT, assert_bounded, run_handbook, tree_digest

RESTRICTED = "03-年度计划与卫生创建/03.2-年度工作总结/2024-市爱卫办-2024年爱卫工作人员花名册.pdf"
# A real MkDocs build of the shipped mkdocs.yml (as tests/test_site_build.py makes it), in its own process.
BUILD = """
import sys
sys.path.insert(0, {tests!r})
from test_site_build import plugin_of, site_config
from mkdocs.commands.build import build
config = site_config(__import__("pathlib").Path(sys.argv[1]), package=True)
config["site_dir"] = sys.argv[2]
if sys.argv[3:] == ["serve"]:
    config.plugins.on_startup(command="serve", dirty=False)
build(config)
import resource
# Peak resident memory of the build and of its children (Pagefind), in KB: the hostile builds assert a bound.
print("构建完成", "峰值内存KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""".format(tests=str(ROOT / "tests"))
# No CAP_DAC_OVERRIDE: root then obeys the file modes, as any CI runner's user does.
WITHOUT_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]


@pytest.fixture
def small(tmp_path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "fixtures" / "site", root, ignore=shutil.ignore_patterns(".cache", "site"))
    assert (root / "evidence" / RESTRICTED).is_file()
    return root


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), "NO_MKDOCS_2_WARNING": "1", "HANDBOOK_TODAY": "2026-11-23",
            "MALLOC_ARENA_MAX": "2"}


def start_build(root: Path, site: Path, *extra: str, prefix: tuple[str, ...] = ()) -> subprocess.Popen:
    return subprocess.Popen([*prefix, sys.executable, "-c", BUILD, str(root), str(site), *extra], env=env(), cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in out + err, (out + err)[-3000:]
    return process.returncode, out + err


def assert_a_whole_site(site: Path) -> None:
    for page in ("index.html", "problems/index.html", "items/03/index.html", "units/index.html", "package/index.html",
                 "problems/问题文件清单.xlsx", "pagefind/pagefind-entry.json"):
        assert (site / page).is_file(), page
    import json

    json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    json.loads((site / "handbook.json").read_text(encoding="utf-8"))


def assert_nothing_restricted_under(site: Path, secret: bytes) -> None:
    """Not the file, not its bytes in any other file, not inside any zip, and never the office's part 3."""
    if not site.exists():
        return
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        assert "花名册" not in path.name and not path.name.startswith("3-内部清单"), path
        data = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                data = b"".join(archive.read(name) for name in archive.namelist())
        assert secret not in data, path


def test_a_read_only_checkout_checks_and_builds_and_says_what_it_could_not_write(small, tmp_path):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop CAP_DAC_OVERRIDE")
    subprocess.run(["chmod", "-R", "a-w", str(small)], check=True)
    before = tree_digest(small)
    try:
        checked = subprocess.run([*WITHOUT_OVERRIDE, sys.executable, "-m", "handbook", "--root", str(small), "check",
                                  "--evidence"], env=env(), cwd=small, capture_output=True, text=True, timeout=TIME_LIMIT)
        assert "Traceback" not in checked.stdout + checked.stderr
        assert checked.returncode == 1 and "（2 个错误）" in checked.stdout  # the fixture's own two, nothing else
        assert f"未能写入扫描缓存 {small}/.cache/handbook/evidence-scan.json（[Errno 13] Permission denied" in checked.stderr
        code, text = finish(start_build(small, tmp_path / "site", prefix=tuple(WITHOUT_OVERRIDE)))
        assert code == 0, text[-3000:]
        assert f"无法写入 {small}/.cache/handbook/problems（Permission denied），本次构建把问题文件清单写在临时文件夹" in text
        assert f"无法写入 {small}/.cache/handbook/worklists（Permission denied），本次构建把催报单写在临时文件夹" in text
        assert ("材料包生成失败（站点照常构建，上一版材料包保持不变）：无法写入材料包：.cache 不允许写入（只读磁盘或没有权限，"
                f"文件夹 {small}）。请检查该文件夹的权限，或用 python -m handbook package --out 指定可写的文件夹后重新打包") in text
        assert_a_whole_site(tmp_path / "site")
        assert tree_digest(small) == before  # nothing written, nothing changed
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(small)], check=True)


def test_two_builds_of_one_tree_at_once_both_finish_with_a_whole_site(small):
    site = small / "site"
    both = [start_build(small, site), start_build(small, site)]
    for process in both:
        code, text = finish(process)
        assert code == 0 and "构建完成" in text, text[-3000:]
    assert_a_whole_site(site)
    sums = (site / "package" / "SHA256SUMS").read_bytes()
    review = next((site / "package").glob("2-评审资料-*.zip"))
    with zipfile.ZipFile(review) as archive:
        assert archive.testzip() is None
        assert archive.read(next(n for n in archive.namelist() if n.endswith("/SHA256SUMS"))) == sums


def test_a_restricted_file_never_appears_under_site_after_any_command(small, tmp_path):
    secret = (small / "evidence" / RESTRICTED).read_bytes()
    site = small / "site"
    before = tree_digest(small / "evidence")
    code, text = finish(start_build(small, site))
    assert code == 0, text[-3000:]
    assert_nothing_restricted_under(site, secret)
    assert (small / ".cache" / "handbook" / "package" / "3-内部清单-测试市-2026.zip").is_file()  # made, not published
    code, text = finish(start_build(small, site, "serve"))  # what mkdocs serve builds
    assert code == 0, text[-3000:]
    assert_nothing_restricted_under(site, secret)
    for command in (["package"], ["render", "--out", str(tmp_path / "md")], ["check", "--evidence"],
                    ["export", "--out", str(tmp_path / "handbook.json")], ["worklist", "--out", str(tmp_path / "wl")]):
        run = run_handbook(small, *command)
        assert_bounded(run)
        assert run.code in (0, 1), (command, run.text[-2000:])
        assert_nothing_restricted_under(site, secret)
    assert tree_digest(small / "evidence") == before


def test_the_build_survives_every_hostile_input_at_once_naming_each_file(small, tmp_path):
    """Defects 1, 2, 4 and 8 through ``mkdocs build`` (the check and export have their own tests): an alias
    bomb and a 300-deep list in sidecars, a compressed XLSX bomb, a cache of the wrong shape."""
    from test_hostile_tables import raw_xlsx
    from test_hostile_yaml import ALIAS_MESSAGE, LAUGHS

    plans = small / "evidence" / "03-年度计划与卫生创建" / "03.1-年度工作计划"
    sample = sorted(plans.glob("*.pdf"))[0].read_bytes()
    for name, sidecar in (("2024-市爱卫办-笑声.pdf", f"doc_number: {LAUGHS}\n"),
                          ("2024-市爱卫办-嵌套.pdf", "note: " + "[" * 300 + "]" * 300 + "\n")):
        (plans / name).write_bytes(sample + name.encode())
        (plans / name).with_suffix(".yml").write_text(sidecar, encoding="utf-8")
    raw_xlsx(small / "evidence" / "indicators" / "values.xlsx", '<row r="1"/>' * 1_000_000)
    (small / ".cache" / "handbook").mkdir(parents=True)
    (small / ".cache" / "handbook" / "evidence-scan.json").write_text("[]", encoding="utf-8")
    before = tree_digest(small / "evidence")
    started = time.monotonic()
    code, text = finish(start_build(small, tmp_path / "site"))
    assert code == 0, text[-3000:]
    assert time.monotonic() - started < 60  # seconds for the whole build, Pagefind included
    own_kb, children_kb = (int(n) for n in text.split("峰值内存KB", 1)[1].split()[:2])
    assert own_kb < 500 * 1024 and children_kb < 500 * 1024, (own_kb, children_kb)  # the 500 MB bound
    assert "evidence-scan.json 无效，已弃用并重新读取全部文件（top level is list, not a mapping）" in text
    page = (tmp_path / "site" / "problems" / "index.html").read_text(encoding="utf-8")
    assert "2024-市爱卫办-笑声.pdf" in page and ALIAS_MESSAGE.split("，")[0] in page
    assert "2024-市爱卫办-嵌套.pdf" in page and "列表或映射嵌套超过 50 层" in page
    assert "超过上限 10.0 MB" in page
    assert tree_digest(small / "evidence") == before
