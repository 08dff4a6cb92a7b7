"""The review package under faults (issue 17): kill -9 at any point leaves nothing stale beside the zips and a
rerun gives a verified package; the default output is outside site/; two builds at once both finish."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, assert_bounded, run_handbook, tree_digest

SIDE_BY_SIDE = ("总目录.xlsx", "卷内目录.pdf", "卷内目录.xlsx", "数据评价指标.xlsx", "SHA256SUMS", "README.txt")
PLAN_FOLDER = "03-年度计划与卫生创建/03.1-年度工作计划"
# A real SIGKILL at the one moment the issue names: every zip renamed into place, nothing copied beside yet.
KILL_AFTER_THE_ZIPS = """
import os, signal, sys
import handbook.outputs.package as package
package._Build._copy_beside = lambda self, folder, names: os.kill(os.getpid(), signal.SIGKILL)
from handbook import cli
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.fixture
def small(tmp_path) -> Path:
    """The small site project (3 PDFs, one restricted file, an indicator table): a package in ~4 s."""
    root = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "fixtures" / "site", root, ignore=shutil.ignore_patterns(".cache", "site"))
    return root


def out_of(root: Path) -> Path:
    return root / ".cache" / "handbook" / "package"


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), "NO_MKDOCS_2_WARNING": "1", "HANDBOOK_TODAY": "2026-11-23"}


def add_a_plan(root: Path, n: int) -> None:
    """A new file for the reviewers: the review zip and its SHA256SUMS and 总目录 change."""
    folder = root / "evidence" / PLAN_FOLDER
    sample = sorted(folder.glob("*.pdf"))[0].read_bytes()
    (folder / f"2025-市爱卫办-补充计划{n}.pdf").write_bytes(sample + b"%" + str(n).encode())


def review_zip(out: Path) -> Path:
    return next(out.glob("2-评审资料-*.zip"))


def inside(zip_path: Path) -> dict[str, bytes]:
    """The files at the top of the zip's one root folder (where its indexes are), by name."""
    with zipfile.ZipFile(zip_path) as archive:
        return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist() if name.count("/") == 1}


def assert_nothing_stale_beside(out: Path) -> None:
    """Each index beside the review zip is the one inside it, or absent: never one of another package."""
    top = inside(review_zip(out))
    for name in SIDE_BY_SIDE:
        if (out / name).exists():
            assert (out / name).read_bytes() == top[name], f"{name} beside the zip is not the one in it"


def assert_a_verified_package(out: Path) -> None:
    zips = sorted(p.name for p in out.glob("*.zip"))
    assert zips == ["1-上传资料-测试市-2026.zip", "2-评审资料-测试市-2026.zip", "3-内部清单-测试市-2026.zip"]
    for name in zips:
        with zipfile.ZipFile(out / name) as archive:
            assert archive.testzip() is None, name  # every entry's CRC
    top = inside(review_zip(out))
    assert all((out / name).read_bytes() == top[name] for name in SIDE_BY_SIDE)  # the set, whole
    with zipfile.ZipFile(review_zip(out)) as archive:
        import hashlib

        root = archive.namelist()[0].split("/", 1)[0]
        for line in top["SHA256SUMS"].decode("utf-8").splitlines():
            digest, path = line.split("  ", 1)
            assert hashlib.sha256(archive.read(f"{root}/{path}")).hexdigest() == digest, path
    assert (out / "package-stamp.json").is_file()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no staging folder, no .tmp left


def test_a_kill_right_after_the_zips_are_replaced_leaves_no_stale_index_and_a_rerun_verifies(small):
    first = run_handbook(small, "package")
    assert first.code == 0, first.text
    add_a_plan(small, 1)
    evidence = tree_digest(small / "evidence")
    killed = subprocess.run([sys.executable, "-c", KILL_AFTER_THE_ZIPS, "--root", str(small), "package"], env=env(),
                            cwd=small, capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    out = out_of(small)
    assert "补充计划1" in "".join(zipfile.ZipFile(review_zip(out)).namelist())  # the new zip is in place…
    assert_nothing_stale_beside(out)  # …and the old SHA256SUMS and 总目录 are not beside it (they were)
    assert not (out / "package-stamp.json").exists()  # nothing says this set is complete
    again = run_handbook(small, "package")
    assert_bounded(again)
    assert again.code == 0 and "沿用上一版" not in again.text  # built again, not reused
    assert_a_verified_package(out)
    assert tree_digest(small / "evidence") == evidence


def test_a_kill_at_any_moment_then_a_rerun_gives_a_verified_package(small):
    run_handbook(small, "package")
    add_a_plan(small, 2)
    out = out_of(small)
    process = subprocess.Popen([sys.executable, "-m", "handbook", "--root", str(small), "package"], env=env(),
                               cwd=small, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not list(out.glob(f".package-{process.pid}-*")) and time.monotonic() < deadline:
        time.sleep(0.01)  # the staging folder: the build is writing
    process.kill()
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert_nothing_stale_beside(out)
    again = run_handbook(small, "package")
    assert_bounded(again)
    assert again.code == 0, again.text
    assert_a_verified_package(out)
    assert "补充计划2" in "".join(zipfile.ZipFile(review_zip(out)).namelist())


def test_package_with_default_arguments_writes_nothing_under_site(small):
    (small / "site").mkdir()
    (small / "site" / "index.html").write_text("上次构建的网站", encoding="utf-8")
    run = run_handbook(small, "package")
    assert_bounded(run)
    assert run.code == 0
    assert [p.relative_to(small).as_posix() for p in (small / "site").rglob("*")] == ["site/index.html"]
    assert f"{out_of(small)}/2-评审资料-测试市-2026.zip" in run.out
    assert (out_of(small) / "3-内部清单-测试市-2026.zip").is_file()  # the restricted list is here, not in site/


def test_two_packages_at_once_both_finish_and_the_result_verifies(small):
    add_a_plan(small, 3)
    command = [sys.executable, "-m", "handbook", "--root", str(small), "package"]
    both = [subprocess.Popen(command, env=env(), cwd=small, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    results = [(p.wait(timeout=60), *p.communicate()) for p in both]
    for code, out, err in results:
        assert code == 0 and "Traceback" not in out + err, out + err
    assert_a_verified_package(out_of(small))
