"""The scale benchmark (benchmarks/bench.py) at N = 200, so that it keeps working; and the package's one-pass
zip verification and flat-memory slot merge that the benchmark measures."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
import random
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from handbook.outputs.package import pdfmerge, zipper
from handbook.render import Site, context

ROOT = Path(__file__).resolve().parent.parent
STEPS = {"full", "plain", "nochange", "add1", "plan", "serve", "package", "cp", "zip"}


def load_bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_runs_at_n_200(tmp_path):
    bench = load_bench()
    out = tmp_path / "results"
    assert bench.main(["--sizes", "200:20", "--out", str(out), "--workdir", str(tmp_path), "--serve-idle", "0.5"]) == 0
    report = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    (result,) = report["results"]
    steps = result["steps"]
    has_info_zip = bool(shutil.which("zip") and shutil.which("unzip"))  # installed by scripts/system-deps.sh
    assert set(steps) == (STEPS if has_info_zip else STEPS - {"zip"})
    assert result["files"] == 200 and steps["full"]["hashed"] == 200
    assert steps["nochange"]["hashed"] == 0  # nothing changed: nothing read again
    assert steps["add1"]["hashed"] == 1 and steps["add1"]["shown"]  # one new file: hashed once, on its page
    assert steps["plan"]["hashed"] == 0 and steps["plan"]["shown"]  # a plan change is picked up, no stale plan
    assert steps["full"]["git_calls"] == steps["nochange"]["git_calls"] == steps["add1"]["git_calls"] == 1
    assert steps["full"]["evidence_copied"] == 0 and result["site_linked_mb"] > 0  # hard links, not copies
    assert steps["serve"]["seconds"] > 0 and steps["package"]["mb_per_s"] > 0
    assert {"overhead_ratio", "overhead_ratio_net", "warm_ratio", "package_vs_cp"} <= set(result)
    assert ("package_vs_zip" in result) == has_info_zip
    if has_info_zip:
        assert steps["zip"]["seconds"] > 0 and steps["zip"]["unzip_t_seconds"] > 0
    assert report["machine"]["cores"] and report["verdicts"]
    markdown = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "完整构建" in markdown and "| 200 |" in markdown
    assert not list(tmp_path.glob("handbook-bench-*"))  # the generated archive is gone


def test_plain_config_drops_hook_watch_and_strict():
    bench = load_bench()
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    plain = bench.plain_config(config, ROOT)
    assert "mkdocs_hook" not in plain and "\nwatch:" not in plain and "\nstrict:" not in plain
    assert "\nplugins:" in plain and "custom_dir: /" in plain and "\nnav:" in plain


# --------------------------------------------------------------------------- the zip, verified in one pass


def make_entries(folder: Path, count: int = 3) -> list[zipper.ZipEntry]:
    entries = []
    for n in range(count):
        path = folder / f"f{n}.{'pdf' if n % 2 else 'txt'}"
        path.write_bytes(random.Random(n).randbytes(3000 + n) + b"text " * 200)
        entries.append(zipper.entry_for(f"包/文件{n}{path.suffix}", path))
    return entries


def test_verified_zip_round_trips_and_hashes_itself(tmp_path):
    entries = make_entries(tmp_path)
    size, digest = zipper.write_verified_zip(entries, tmp_path / "a.zip", date_time=(2026, 1, 1, 0, 0, 0))
    data = (tmp_path / "a.zip").read_bytes()
    assert size == len(data) and digest == zipper.hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
        assert zf.read("包/文件0.txt") == entries[0].source.read_bytes()


def test_same_size_change_after_scan_is_caught_by_read_back(tmp_path):
    entries = make_entries(tmp_path)
    source = entries[1].source
    source.write_bytes(bytes(b ^ 1 for b in source.read_bytes()))  # same size, other bytes
    with pytest.raises(zipper.PackageError, match="扫描后被修改"):
        zipper.write_verified_zip(entries, tmp_path / "a.zip", date_time=(2026, 1, 1, 0, 0, 0))
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".*tmp"))


def test_corrupt_write_is_caught(tmp_path, monkeypatch):
    entries = make_entries(tmp_path)
    real_write = zipper._write

    def write_then_flip_a_byte(ordered, tmp, date_time, progress):
        real_write(ordered, tmp, date_time, progress)
        with zipfile.ZipFile(tmp) as zf:
            info = zf.getinfo(entries[1].arcname)  # stored: its bytes sit as they are
        with open(tmp, "r+b") as handle:
            handle.seek(info.header_offset + 30 + len(info.filename.encode()) + 100)
            byte = handle.read(1)
            handle.seek(-1, 1)
            handle.write(bytes([byte[0] ^ 0xFF]))

    monkeypatch.setattr(zipper, "_write", write_then_flip_a_byte)
    with pytest.raises(zipper.PackageError, match="回读校验失败"):
        zipper.write_verified_zip(entries, tmp_path / "a.zip", date_time=(2026, 1, 1, 0, 0, 0))


# --------------------------------------------------------------------------- slot merge memory


def big_pdf(path: Path, megabytes: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_pdf

    write_pdf(path, megabytes << 20, 2, random.Random(seed))


def test_slot_merge_spools_large_streams(tmp_path):
    """Appended documents leave their big streams on disk, not in the writer or in a kept-alive reader."""
    paths = [tmp_path / f"scan{n}.pdf" for n in range(3)]
    for n, path in enumerate(paths):
        big_pdf(path, 2, n)
    writer = PdfWriter()
    with tempfile.TemporaryFile() as spool:
        for path in paths:
            pdfmerge.append_document(writer, path, None, path.stem, spool)
        in_memory = sum(len(o._data) for o in writer._objects
                        if isinstance(o, pdfmerge.StreamObject) and not isinstance(o, pdfmerge._SpooledStream))
        assert in_memory < 256 * 1024 and spool.tell() >= 3 * 2_000_000
        out = io.BytesIO()
        writer.write(out)
    merged = PdfReader(out)
    assert len(merged.pages) == 6 and [o.title for o in merged.outline] == ["scan0", "scan1", "scan2"]
    image = merged.pages[2]["/Resources"]["/XObject"]["/Im0"].get_object()
    original = PdfReader(paths[1]).pages[0]["/Resources"]["/XObject"]["/Im0"].get_object()
    assert image.get_data() == original.get_data()


# --------------------------------------------------------------------------- page links, fast path


def test_fast_links_equal_relpath_and_quote():
    site = Site.__new__(Site)
    site._quoted = {}
    rng = random.Random(3)
    segments = ["items", "units", "evidence", "03", "03.1-计划", "a b", "index.md", "01.md", "x%y.pdf", "[1].pdf", "<a>"]
    for _ in range(5000):
        here = "/".join([*(rng.choice(segments) for _ in range(rng.randint(0, 3))), rng.choice(["index.md", "01.md"])])
        target = "/".join([*(rng.choice(segments) for _ in range(rng.randint(0, 4))), rng.choice(["index.md", "f.pdf"])])
        assert str(site.linker(here)(target)) == context.url_path(context.relative(target, here)), (here, target)
    assert str(site.linker("items/01.md")("evidence/03/../x.pdf")) == context.url_path(context.relative("evidence/03/../x.pdf", "items/01.md"))
