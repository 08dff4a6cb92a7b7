"""Search at city size: seconds to write the Pagefind index, its size, and the bytes the browser transfers for
the first query (index chunks load on demand; Material's lunr index was loaded whole, ~15 MB at N = 10,000).

    .venv/bin/python benchmarks/search_bench.py --n 1000 --mb 200      # on its own
    .venv/bin/python benchmarks/bench.py --sizes 1000:1024 --search    # as an optional step of bench.py

The first query is typed into the header's search box of a fresh browser profile (Debian chromium); every
response body under /pagefind/ is counted (pagefind.js, the wasm, the entry and meta files, the index chunks
and the fragments of the first results shown).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
QUERIES = ("垃圾分类", "市城管局")
TARGET_FIRST_QUERY_KB = 500

INDEX_SCRIPT = """
import json, sys, datetime as dt
from pathlib import Path
from handbook.pipeline import build_archive, default_cache_dir
from handbook.outputs.search import build_search_index
root = Path(sys.argv[1])
archive = build_archive(root, today=dt.date.fromisoformat(sys.argv[2]))
print(json.dumps(build_search_index(root / "site", archive, default_cache_dir(root)).as_dict()))
"""


def build_index(project: Path, env: dict, today: str) -> dict:
    """Run build_search_index in a child process (as the plugin does after a build); its stats and seconds."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", INDEX_SCRIPT, str(project), today], cwd=project, env={**os.environ, **env},
                          capture_output=True, text=True, check=True)
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    return {**stats, "seconds": round(time.perf_counter() - start, 2)}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def first_query_bytes(site: Path, query: str) -> dict:
    """Bytes of /pagefind/ responses for the first query in a fresh browser (and the page's own bytes apart)."""
    from playwright.sync_api import sync_playwright

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                           args=["--no-sandbox", "--disable-gpu"])
            page = context.new_page()
            page.goto(base)
            page.wait_for_load_state("networkidle")

            def count(request) -> None:
                if "/pagefind/" in request.url:
                    sizes[request.url] = request.sizes()["responseBodySize"]

            page.on("requestfinished", count)
            start = time.perf_counter()
            page.click(".md-search__input")
            page.fill(".md-search__input", query)
            page.wait_for_function("() => /^(找到|没有找到)/.test("
                                   "document.querySelector('[data-hb-search-meta]').textContent)", timeout=60000)
            page.wait_for_load_state("networkidle")
            seconds = time.perf_counter() - start
            context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    total = sum(sizes.values())
    return {"query": query, "requests": len(sizes), "kb": round(total / 1024, 1), "seconds": round(seconds, 2),
            "met": total / 1024 < TARGET_FIRST_QUERY_KB}


def measure_search(project: Path, env: dict, today: str) -> dict:
    """The optional search step of bench.py, on a project whose site was just built."""
    result = {"index": build_index(project, env, today)}
    site = project / "site"
    result["index_mb"] = round(sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
                               / 2**20, 1)
    result["first_query"] = [first_query_bytes(site, q) for q in QUERIES]
    return result


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(HERE))
    import bench

    parser = argparse.ArgumentParser(description="搜索规模基准：索引用时、大小、首次查询传输量")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="handbook-search-bench-") as tmp:
        project, counts = bench.prepare(Path(tmp), args.n, args.mb)
        env = {**bench.ENV, "PYTHONPATH": str(project / "hooks")}
        build = bench.run([sys.executable, "-m", "mkdocs", "build", "-q"], project, env)
        result = {"n": args.n, "files": counts["files"], "site_build_seconds": build["seconds"],
                  **measure_search(project, env, bench.TODAY)}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
