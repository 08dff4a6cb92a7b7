"""Git LFS with Debian's real git-lfs against a local file:// remote: commit and push through the shipped
.gitattributes, clone without the objects (every PDF a pointer: reported, listed, never published), then
``git lfs pull`` (the files are judged as usual)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfWriter

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "workflow"))

from factory import GIT_ENV, commit_all, git, init_repo, write

from handbook.model import Status
from handbook.pipeline import build_archive
from handbook.render.context import is_published
from handbook.scan.content import lfs_pointer_size

REPO_ROOT = Path(__file__).resolve().parent.parent
PLAN = "evidence/03-年度计划与卫生创建/03.1-年度爱国卫生工作计划/2025-市爱卫办-登封市2025年爱国卫生工作计划.pdf"
TABLE = "evidence/indicators/values.csv"

pytestmark = pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs 未安装（apt-get install git-lfs）")


def pdf(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def run_git(cwd: Path, *argv: str, **env: str) -> str:
    result = subprocess.run(["git", *argv], cwd=cwd, env={**os.environ, **GIT_ENV, **env}, capture_output=True,
                            check=True)
    return result.stdout.decode("utf-8")


@pytest.fixture()
def remote(tmp_path) -> tuple[Path, bytes]:
    """A city repository using docs/ci/gitattributes, pushed to a bare file:// remote."""
    bare = tmp_path / "remote.git"
    run_git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    work = tmp_path / "work"
    init_repo(work)
    git(work, "lfs", "install", "--local")
    shutil.copytree(REPO_ROOT / "standards", work / "standards")
    shutil.copyfile(REPO_ROOT / "docs/ci/gitattributes", work / ".gitattributes")
    write(work, ".gitignore", ".cache/\n")
    content = pdf("2025 计划")
    write(work, PLAN, content)
    write(work, TABLE, "indicator,year,value,unit,reporter,source\n")
    commit_all(work, "第一批材料")
    assert git(work, "lfs", "ls-files", "--name-only").splitlines() == [PLAN]  # the table stays a plain blob
    git(work, "remote", "add", "origin", bare.as_uri())
    git(work, "push", "-q", "origin", "main")
    return bare, content


def test_clone_without_objects_reports_pointers_then_lfs_pull_judges_the_files(remote, tmp_path):
    bare, content = remote
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", bare.as_uri(), str(clone), GIT_LFS_SKIP_SMUDGE="1")
    on_disk = (clone / PLAN).read_bytes()
    assert on_disk.startswith(b"version https://git-lfs.github.com/spec/v1\noid sha256:")
    assert lfs_pointer_size(io.BytesIO(on_disk)) == len(content)

    archive = build_archive(clone, cache_dir=tmp_path / "cache")
    file = next(f for f in archive.files if f"evidence/{f.path}" == PLAN)
    assert file.filetype == "lfs-pointer"
    assert [p.code for p in file.problems] == ["lfs-pointer"]
    assert file.problems[0].fix.startswith("在仓库目录运行 git lfs pull 取回文件后再构建")
    assert "文件本身没有取回" in file.problems[0].message
    assert not file.readable and not is_published(file)  # listed, never published or packed
    cell = next(c for c in archive.cells if c.material == "03.1" and c.year == 2025)
    assert cell.status is Status.REVIEW and cell.files == [file.path]

    git(clone, "lfs", "install", "--local")
    git(clone, "lfs", "pull")
    assert (clone / PLAN).read_bytes() == content
    archive = build_archive(clone, cache_dir=tmp_path / "cache")
    file = next(f for f in archive.files if f"evidence/{f.path}" == PLAN)
    assert (file.filetype, file.problems, file.pages) == ("pdf", [], 1)
    assert file.readable and is_published(file)
    cell = next(c for c in archive.cells if c.material == "03.1" and c.year == 2025)
    assert cell.status is Status.COLLECTED


def test_this_repository_keeps_its_demo_evidence_as_plain_blobs():
    """The handbook's own clone must work without git-lfs: no root .gitattributes sends evidence/ to LFS."""
    assert not (REPO_ROOT / ".gitattributes").exists() or "filter=lfs" not in (REPO_ROOT / ".gitattributes").read_text()
    sample = next((REPO_ROOT / "evidence").glob("*/*/*.pdf"))
    assert sample.read_bytes().startswith(b"%PDF-")


def test_a_text_file_that_only_looks_like_a_pointer_is_not_one():
    assert lfs_pointer_size(io.BytesIO(b"version https://git-lfs.github.com/spec/v1\n")) is None
    assert lfs_pointer_size(io.BytesIO(b"hello\n")) is None
    legacy = b"version https://hawser.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 12\n"
    assert lfs_pointer_size(io.BytesIO(legacy)) == 12
