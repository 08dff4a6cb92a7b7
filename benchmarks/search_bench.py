"""Search at city size: seconds to write the Pagefind index, its size, and the bytes the browser transfers for
the first query (index chunks load on demand; Material's lunr index was loaded whole, ~15 MB at N = 10,000).

    .venv/bin/python benchmarks/search_bench.py --n 1000 --mb 200      # on its own
    .venv/bin/python benchmarks/bench.py --sizes 1000:1024 --search    # as an optional step of bench.py

The first query is typed into the header's search box of a fresh browser profile (Debian chromium); every
response body under /pagefind/ is counted (pagefind.js, its worker, the wasm, the entry and meta files, the
index chunks and the fragments of the results the search script loads), as served by http.server (no
compression; the pf_* files are gzip already). It prints a table by kind of file and the seconds from typing to
the first result; it writes results/search-N.json and the same table as results/search-N.md (the section for
benchmarks/RESULTS.md).
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


# What a /pagefind/ response is, by its file name (pattern: an exact name, "x*" a prefix, "*x" a suffix): the
# rows of the printed table, in this order. Pagefind 1.5 names its wasm "wasm.<language>.pagefind".
KINDS = (("pagefind.js", "加载脚本 pagefind.js"), ("pagefind-worker.js", "检索线程 pagefind-worker.js"),
         ("wasm.*", "WebAssembly（检索程序）"), ("pagefind-entry.json", "入口 pagefind-entry.json"),
         ("*.pf_meta", "元数据 pf_meta"), ("*.pf_index", "索引分块 pf_index"), ("*.pf_filter", "筛选 pf_filter"),
         ("*.pf_fragment", "结果片段 pf_fragment"))
OTHER_KIND = "其他"


def kind_of(url: str) -> str:
    """The row of KINDS a /pagefind/ URL belongs to (its file name, without query or fragment)."""
    name = url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    for pattern, label in KINDS:
        if (name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1]))
                or (pattern.startswith("*") and name.endswith(pattern[1:]))):
            return label
    return OTHER_KIND


def served_size(site: Path, url: str) -> int:
    """The bytes http.server sends for ``url`` (the file as it is, no compression). Chromium reports 0 for what
    a Web Worker fetches (pagefind-worker.js), so the larger of the two is counted."""
    path = site / url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    try:
        return path.stat().st_size
    except OSError:
        return 0


def first_query_bytes(site: Path, query: str) -> dict:
    """Bytes of /pagefind/ responses for the first query in a fresh browser, by kind; the page's own bytes
    apart. Seconds from typing to the first result shown, and to the whole list (count shown, network idle)."""
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
                    sizes[request.url] = max(request.sizes()["responseBodySize"], served_size(site, request.url))

            page.on("requestfinished", count)
            start = time.perf_counter()
            page.click(".md-search__input")
            page.fill(".md-search__input", query)
            page.wait_for_selector(".md-search-result__item", timeout=60000)
            first_result = time.perf_counter() - start
            page.wait_for_function("() => /^(找到|没有找到)/.test("
                                   "document.querySelector('[data-hb-search-meta]').textContent)", timeout=60000)
            page.wait_for_load_state("networkidle")
            seconds = time.perf_counter() - start
            context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    by_kind: dict[str, dict] = {}
    for url, size in sizes.items():
        row = by_kind.setdefault(kind_of(url), {"requests": 0, "kb": 0.0})
        row["requests"] += 1
        row["kb"] += size / 1024
    for row in by_kind.values():
        row["kb"] = round(row["kb"], 1)
    total = sum(sizes.values())
    files = {url.split("/pagefind/", 1)[1]: size for url, size in sorted(sizes.items())}
    return {"query": query, "requests": len(sizes), "kb": round(total / 1024, 1), "by_kind": by_kind, "files": files,
            "first_result_seconds": round(first_result, 2), "seconds": round(seconds, 2),
            "met": total / 1024 < TARGET_FIRST_QUERY_KB}


def table(result: dict) -> str:
    """The first queries' transfer as a Markdown table, one column per query (for benchmarks/RESULTS.md)."""
    queries = result["first_query"]
    labels = [label for _, label in KINDS] + [OTHER_KIND]
    head = "| 首次查询传输（新的浏览器配置） | " + " | ".join(f"“{q['query']}”" for q in queries) + " |"
    lines = [head, "|---|" + "---:|" * len(queries)]
    for label in labels:
        cells = [q["by_kind"].get(label) for q in queries]
        if any(cells):
            lines.append(f"| {label} | " + " | ".join(
                f"{c['kb']:,} KB（{c['requests']} 个）" if c else "—" for c in cells) + " |")
    lines.append("| **合计** | " + " | ".join(
        f"**{q['kb']:,} KB**（{q['requests']} 个请求）" for q in queries) + " |")
    lines.append("| 输入到第一条结果 | " + " | ".join(f"{q['first_result_seconds']} s" for q in queries) + " |")
    lines.append("| 输入到结果列表完整 | " + " | ".join(f"{q['seconds']} s" for q in queries) + " |")
    verdicts = "、".join(f"“{q['query']}”{'达到' if q['met'] else '未达到'}" for q in queries)
    index = result["index"]
    return "\n".join([
        f"N = {result['n']:,}（{result['files']:,} 个文件）：站点构建 {result['site_build_seconds']} s；"
        f"索引 {index['search_pages']} 个页面 + {index['search_file_records']:,} 条文件记录，"
        f"用时 {index['seconds']} s（PDF 文字层读取 {index['search_pdf_texts_read']:,} 个、取自缓存 "
        f"{index['search_pdf_texts_cached']:,} 个：mkdocs build 建索引时已读过），"
        f"索引总大小 {result['index_mb']} MB。",
        "", *lines, "",
        f"目标：首次查询传输 < {TARGET_FIRST_QUERY_KB} KB：{verdicts}。"])


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
    out = HERE / "results" / f"search-{args.n}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    # The table as a Markdown file too: the section to copy into benchmarks/RESULTS.md ("## 搜索").
    section = out.with_suffix(".md")
    section.write_text(f"## 搜索（{time.strftime('%Y-%m-%d')}，search_bench.py --n {args.n} --mb {args.mb}）\n\n"
                       + table(result) + "\n", encoding="utf-8")
    print(table(result))
    print(f"\n（完整数据：{out.relative_to(HERE.parent)}；表格：{section.relative_to(HERE.parent)}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
