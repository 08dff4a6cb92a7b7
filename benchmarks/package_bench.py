"""Package benchmark with conversions: the three-part package over a synthetic archive with Excel files.

    .venv/bin/python benchmarks/package_bench.py                  # N = 1,000 (200 MB), 20 % of them .xlsx
    .venv/bin/python benchmarks/package_bench.py -n 300 --mb 60   # quick

It generates N evidence files (benchmarks/synth.py: real PDFs and JPEGs), turns a share of the files of
materials that accept xlsx into real Excel workbooks with Chinese text (LibreOffice must convert each), builds
the judged archive, writes the package in this process, and reports the whole time, the conversion time and
the time per converted file (with the number of LibreOffice starts). The result goes to
benchmarks/results/package-<N>.json. Not a test: the suite never times anything.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "hooks"))

from synth import CHUNK, generate  # noqa: E402

PROJECT_PARTS = ("mkdocs.yml", "docs", "standards")


def office_share(evidence: Path, root: Path, share: float, seed: int) -> int:
    """Replace ``share`` of the PDFs of xlsx-accepting materials by real .xlsx files; returns how many."""
    import openpyxl
    import yaml

    data = yaml.safe_load((root / "standards/national/checklists.yml").read_text(encoding="utf-8"))
    takes_xlsx = {m["id"] for c in data["checklists"] for m in c["materials"] if "xlsx" in (m.get("formats") or ())}
    rng = random.Random(seed)
    made = 0
    for path in sorted(evidence.rglob("*.pdf")):
        if path.parent.name.split("-", 1)[0] not in takes_xlsx or rng.random() >= share:
            continue
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["单位", "项目", "数量", "备注"])
        for row in range(rng.randint(20, 120)):
            sheet.append([f"嵩阳街道{row}", "病媒生物防制巡查", rng.randint(1, 999), "按月汇总"])
        path.unlink()
        book.save(path.with_suffix(".xlsx"))
        made += 1
    return made


def run(n: int, megabytes: int, share: float) -> dict:
    from handbook.outputs import package as pkg
    from handbook.outputs.package import convert
    from handbook.pipeline import build_archive

    work = Path(tempfile.mkdtemp(prefix="package-bench-"))
    try:
        for part in PROJECT_PARTS:
            source = ROOT / part
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, work / part)
        evidence = work / "evidence"
        generated = generate(work, evidence, n, megabytes * CHUNK)
        office = office_share(evidence, work, share, seed=n)
        os.environ.setdefault("HANDBOOK_TODAY", "2026-11-23")
        os.environ.setdefault("SOURCE_DATE_EPOCH", "1790000000")
        started = time.perf_counter()
        archive = build_archive(work)
        judged = time.perf_counter() - started

        timing = {}
        real = convert.convert_evidence

        def timed(files, *args, **kwargs):
            begin = time.perf_counter()
            result = real(files, *args, **kwargs)
            timing.update(seconds=time.perf_counter() - begin, files=len(files), runs=result[1])
            return result

        pkg.convert_evidence = timed  # the name __init__ calls
        started = time.perf_counter()
        result = pkg.build_package(archive, work / "out", progress=lambda *a: None, reuse_unchanged=False)
        packaged = time.perf_counter() - started
        pkg.convert_evidence = real
        converted = len(result.converted)
        return {
            "n": n, "mb": megabytes, "generated": generated, "xlsx": office,
            "judge_s": round(judged, 2), "package_s": round(packaged, 2),
            "conversion_s": round(timing.get("seconds", 0.0), 2), "converted": converted,
            "failed": len(result.failed_conversions), "soffice_runs": timing.get("runs", 0),
            "s_per_converted_file": round(timing.get("seconds", 0.0) / converted, 3) if converted else None,
            "parts": {p.name: {"files": p.entries, "mb": round(p.size / 1e6, 1)} for p in result.parts},
            "slots": {s.title: s.status_text for s in result.slots},
            "converter": result.converter,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="资料评估材料包基准（含 LibreOffice 转换）")
    parser.add_argument("-n", type=int, default=1000, help="佐证文件数（默认 1000）")
    parser.add_argument("--mb", type=int, default=200, help="佐证总大小 MB（默认 200）")
    parser.add_argument("--share", type=float, default=0.2, help="可收 xlsx 的资料中改为 Excel 文件的比例（默认 0.2）")
    args = parser.parse_args()
    figures = run(args.n, args.mb, args.share)
    out = HERE / "results" / f"package-{args.n}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
