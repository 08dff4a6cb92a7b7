"""City-size benchmark: build time, rebuild work, serve latency, packaging throughput and peak memory.

    make bench                                           # N = 1,000 (1 GB) and 10,000 (5 GB)
    .venv/bin/python benchmarks/bench.py --sizes 200:20  # quick: N files : MB of evidence

For each size it generates a synthetic archive (benchmarks/synth.py) into a temporary copy of the project,
commits it to a throw-away git repository (so provenance is measured too), and runs every step as a child
process whose wall time and peak RSS (``wait4`` rusage) are recorded; the hook's own figures (files hashed,
seconds per phase) come from ``.cache/handbook/last-build.json``, and a ``git`` shim on PATH counts git calls:

1. ``full``      ``mkdocs build`` (site only: ``extra.handbook.outputs.package: false``) with an empty hash cache,
   ``plain``     against plain MkDocs on the same generated Markdown (no hook, no scanning, no evidence files)
2. ``nochange``  a second build, nothing changed (files hashed again: 0)
   ``phases``    one more no-change build in-process (benchmarks/phases.py): seconds per phase, and the floor
                 (scan + Jinja + theme) the no-change build is compared with
   ``browser``   the largest item page in headless chromium: bytes, DOM nodes, load time (browser_bench.py)
3. ``add1``      a build after adding one evidence file (hashed: 1), ``plan`` one after changing the local plan
   ``serve``     ``mkdocs serve``: seconds from adding one evidence file until its item page shows it
4. ``package``   ``python -m handbook package`` against ``cp``: ``cp -r`` of the evidence tree (MB/s each), and
   ``zip``       against Info-ZIP: ``zip -0 -r`` of the evidence tree plus ``unzip -t`` of that zip (the package
                 also writes stored entries and reads them back to check them)
5. peak RSS of each, site size on disk, page weight, and how each figure grows from the smallest size to the
   largest.

It prints a table, writes benchmarks/results/latest.json and benchmarks/RESULTS.md (``--out``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synth import CHUNK, generate, write_pdf  # noqa: E402

MB = CHUNK
PROJECT_PARTS = ("mkdocs.yml", "docs", "hooks", "standards")  # what a site build reads (evidence is generated)
TODAY = "2026-11-23"
ENV = {"NO_MKDOCS_2_WARNING": "1", "HANDBOOK_TODAY": TODAY, "SOURCE_DATE_EPOCH": "1790000000",
       "PYTHONDONTWRITEBYTECODE": "1"}
SERVE_TIMEOUT = 900  # seconds for the first serve build at N = 10,000 on a slow machine
NEW_FILE_TITLE = "服务预览新增文件"

TARGETS = {
    "overhead": 1.3,  # full build ≤ 1.3 × plain MkDocs, plus the time to hash new bytes
    "serve_s": 1.0,  # a new evidence file shows under mkdocs serve within 1 s at N = 10,000 (issue 18)
    "nochange_s": 8.0,  # a no-change rebuild at N = 10,000 (issue 18)
    "page_kb": 150,  # the largest generated page at N = 10,000 (issue 18)
    "item_load_ms": 300,  # the largest item page's load in headless chromium (issue 18)
    "package_vs_cp": 0.7,  # package throughput ≥ 0.7 × cp -r
    "package_vs_zip": 1.3,  # package seconds ≤ 1.3 × (zip -0 -r + unzip -t) of the same evidence (issue 18)
    "rss_mb": 400,  # package peak memory at every size
}


# --------------------------------------------------------------------------- running children


# Peak RSS comes from GNU time, which forks the command from its own tiny process. A child forked from this
# script would inherit the script's own peak in its ru_maxrss (Linux keeps the high-water mark across exec).
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(cmd: list[str], cwd: Path, env: dict | None = None, git_log: Path | None = None) -> dict:
    """Run a child process; its wall seconds, peak RSS in MB and (with ``git_log``) git calls made."""
    if git_log is not None:
        git_log.write_text("", encoding="utf-8")
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file, tempfile.TemporaryFile() as output:
        argv = [GNU_TIME, "-f", "%M", "-o", rss_file.name, *map(str, cmd)] if GNU_TIME else list(map(str, cmd))
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=output,
                                stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            output.seek(0)
            text = output.read().decode("utf-8", "replace")
            raise RuntimeError(f"{' '.join(map(str, cmd))} 失败（退出码 {code}）：\n{text[-4000:]}")
        peak_kb = _rss_kb(rss_file.name) if GNU_TIME else usage.ru_maxrss
    result = {"seconds": round(seconds, 2), "rss_mb": round(peak_kb / 1024, 1)}
    if git_log is not None:
        result["git_calls"] = len(git_log.read_text(encoding="utf-8").splitlines())
    return result


def _rss_kb(path: str) -> int:
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip().isdigit()]
    return int(lines[-1]) if lines else 0


def git_shim(workdir: Path) -> tuple[dict, Path]:
    """A ``git`` first on PATH that logs each call, then runs the real git."""
    real = shutil.which("git")
    if real is None:
        raise SystemExit("基准需要 git")
    folder = workdir / "shim"
    folder.mkdir()
    log = workdir / "git-calls.log"
    script = folder / "git"
    # One line per call, whatever the arguments hold (git formats carry control characters).
    script.write_text(f'#!/bin/sh\nprintf \'%s\\n\' "$1 $2 $3 $4" | tr -d \'\\036\\037\' >> "{log}"\n'
                      f'exec "{real}" "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}, log


def hook_stats(project: Path) -> dict:
    """What the hook recorded about the build that just ran (scan counters, phase seconds)."""
    path = project / ".cache" / "handbook" / "last-build.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    keep = ("hashed", "bytes_hashed", "files_seen", "cache_hits", "hash_seconds", "git_seconds", "scan_seconds",
            "load_seconds", "judge_seconds", "indicators_seconds", "build_seconds", "pages", "evidence_linked",
            "evidence_copied", "phases")
    return {key: data[key] for key in keep if key in data}


# --------------------------------------------------------------------------- the projects


def prepare(workdir: Path, n: int, mb: int) -> tuple[Path, dict]:
    """A copy of the project with ``n`` synthetic evidence files (about ``mb`` MB), committed to git."""
    project = workdir / "project"
    project.mkdir()
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, project / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / part)
    evidence = project / "evidence"
    for extra in ("README.md", "indicators"):  # not evidence files, but part of a real tree
        source = ROOT / "evidence" / extra
        if source.is_dir():
            shutil.copytree(source, evidence / extra)
        elif source.exists():
            evidence.mkdir(exist_ok=True)
            shutil.copy2(source, evidence / extra)
    counts = generate(project, evidence, n, mb * MB)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    # The site only: the package is measured on its own (step 4).
    text, found = re.subn(r"(?m)^(\s+package:\s*)true\b", r"\1false", text)
    if not found:
        raise SystemExit("mkdocs.yml 中找不到 extra.handbook.outputs.package，无法只测站点构建")
    config.write_text(text, encoding="utf-8")
    (project / ".gitignore").write_text("site/\n.cache/\n", encoding="utf-8")
    quiet = {"stdout": subprocess.DEVNULL, "check": True}
    # Random bytes do not compress: store them as they are, so setting up 5 GB stays quick.
    git = ["git", "-c", "core.compression=0", "-c", "core.bigFileThreshold=1m", "-c", "user.name=基准",
           "-c", "user.email=bench@example.invalid"]
    subprocess.run(git + ["init", "-q"], cwd=project, **quiet)
    subprocess.run(git + ["add", "-A"], cwd=project, **quiet)
    subprocess.run(git + ["commit", "-qm", "基准：合成佐证资料"], cwd=project,
                   env={**os.environ, "GIT_COMMITTER_DATE": f"{TODAY}T09:00:00+08:00",
                        "GIT_AUTHOR_DATE": f"{TODAY}T09:00:00+08:00"}, **quiet)
    # Files written in the same second as the index are "racily clean": the first git status re-reads them
    # all. A working checkout has long settled that; settle it here so the steps measure the steady state.
    subprocess.run(["git", "update-index", "-q", "--really-refresh"], cwd=project, **quiet)
    return project, counts


def plain_project(workdir: Path, project: Path) -> Path:
    """The same generated pages, written out, for plain MkDocs: no hook, same theme, plugins and nav."""
    if str(ROOT / "hooks") not in sys.path:
        sys.path.insert(0, str(ROOT / "hooks"))  # the same code as the project copy's hooks/
    from handbook.outputs.changes import CHANGES_URI, render_changes_page
    from handbook.outputs.package import render_skipped_page
    from handbook.pipeline import build_archive
    from handbook.render import render_site

    plain = workdir / "plain"
    shutil.copytree(project / "docs", plain / "docs")
    archive = build_archive(project, today=dt.date.fromisoformat(TODAY))  # warm cache: hashes nothing
    pages = render_site(archive)
    pages[CHANGES_URI] = render_changes_page(project, archive.project.plan.today, project=archive.project)
    pages["package.md"] = render_skipped_page("mkdocs.yml 的 extra.handbook.outputs.package 设为 false。")
    for uri, markdown in pages.items():
        target = plain / "docs" / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = plain_config(config, project)
    (plain / "mkdocs.yml").write_text(config, encoding="utf-8")
    return plain


def plain_config(config: str, project: Path) -> str:
    """mkdocs.yml without the hook (and so without the package), non-strict: evidence links point nowhere."""
    lines = config.splitlines()
    out, skipping = [], False
    for line in lines:
        if re.match(r"^(hooks|watch|strict):", line):
            skipping = not line.startswith("strict:")  # the hooks:/watch: blocks and their list items go
            continue
        if skipping and (line.startswith((" ", "-")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    text = "\n".join(out) + "\n"
    text = text.replace("jieba_dict_user: hooks/", f"jieba_dict_user: {project / 'hooks'}/")
    text = text.replace("custom_dir: hooks/", f"custom_dir: {project / 'hooks'}/")  # the same theme override
    text += "validation:\n  links:\n    not_found: info\n    anchors: info\n"
    if "mkdocs_hook" in text:
        raise SystemExit("基准：纯 MkDocs 配置中仍有钩子")
    return text


# --------------------------------------------------------------------------- steps


def add_evidence_file(project: Path, title: str, seed: int) -> Path:
    folder = next((project / "evidence" / "03").glob("03.1-*"), None) or project / "evidence" / "03" / "03.1-年度工作计划"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"2026-市爱卫办-{title}.pdf"
    write_pdf(path, 300_000, 2, random.Random(seed))
    return path


# Where the new file (added to 03.1) is listed: on item 03's page, or, once the material has more files than
# an item page lists, on the material's own listing page.
NEW_FILE_PAGES = ("items/03/", "items/03/03.1/")


def shows_title(read_page, title: str) -> bool:
    """Whether any page that can list a file of 03.1 lists ``title``; read_page(uri) gives the HTML or None."""
    return any(title in (read_page(uri) or "") for uri in NEW_FILE_PAGES)


def site_page(site: Path):
    def read(uri: str) -> str | None:
        path = site / uri / "index.html"
        return path.read_text(encoding="utf-8") if path.exists() else None
    return read


def change_plan(project: Path) -> str:
    """Rename the city in city.yml; the new name must appear on the home page of the next build."""
    city = project / "standards" / "local" / "city.yml"
    text = city.read_text(encoding="utf-8")
    new_text, found = re.subn(r"(?m)^city:\s*(\S+)", r"city: \1基准", text)
    if not found:
        raise SystemExit("基准：city.yml 中没有 city:")
    city.write_text(new_text, encoding="utf-8")
    return re.search(r"(?m)^city:\s*(\S+)", new_text).group(1)


def site_figures(site: Path) -> dict:
    """Bytes the site adds on disk (hard-linked evidence is free), pages and page weight."""
    unique = linked = 0
    pages = []
    for dirpath, _, names in os.walk(site):
        for name in names:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if st.st_nlink > 1:
                linked += st.st_size
            else:
                unique += st.st_size
            if name == "index.html":
                pages.append((st.st_size, os.path.relpath(path, site)))
    pages.sort()
    faq = site / "faq" / "index.html"  # a hand-written page: its weight is the theme + navigation only
    return {
        "site_unique_mb": round(unique / MB, 1),
        "site_linked_mb": round(linked / MB, 1),
        "html_pages": len(pages),
        "page_kb_median": round(pages[len(pages) // 2][0] / 1024, 1) if pages else 0,
        "page_kb_max": round(pages[-1][0] / 1024, 1) if pages else 0,
        "page_max": pages[-1][1] if pages else "",
        "faq_page_kb": round(faq.stat().st_size / 1024, 1) if faq.exists() else 0,
    }


def phase_profile(project: Path, env: dict) -> dict:
    """Seconds per phase of one more no-change build, run in-process by benchmarks/phases.py."""
    done = subprocess.run([sys.executable, str(HERE / "phases.py"), str(project)], cwd=project,
                          env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"   阶段剖析失败：{done.stderr[-2000:]}", flush=True)
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


def browser_figures(site: Path) -> dict:
    """The largest item page in headless chromium (skipped, and said so, without chromium or Playwright)."""
    try:
        from browser_bench import measure_browser

        return measure_browser(site)
    except Exception as error:  # noqa: BLE001 - a benchmark without a browser still reports the rest
        print(f"   浏览器测量跳过：{error}", flush=True)
        return {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_serve(project: Path, env: dict, idle_seconds: float = 5.0) -> dict:
    """Seconds from adding one evidence file until ``mkdocs serve`` shows it, and the idle watcher's CPU."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    url = base + NEW_FILE_PAGES[0]
    log = project.parent / "serve.log"
    with log.open("wb") as output:
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                                env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT)
        try:
            started = time.perf_counter()
            while fetch(url) is None:
                if proc.poll() is not None or time.perf_counter() - started > SERVE_TIMEOUT:
                    raise RuntimeError(f"mkdocs serve 未能启动：\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
            first = time.perf_counter() - started
            time.sleep(min(1.0, idle_seconds))
            cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
            time.sleep(idle_seconds)  # the watcher polling an idle tree: its CPU share
            idle_cpu = (cpu_seconds(proc.pid) - cpu0) / (time.perf_counter() - t0)
            title = f"{NEW_FILE_TITLE}{random.randrange(10**6):06d}"
            add_evidence_file(project, title, seed=11)
            added = time.perf_counter()
            while not shows_title(lambda uri: fetch(base + uri), title):
                if time.perf_counter() - added > 300 or proc.poll() is not None:
                    raise RuntimeError(f"mkdocs serve 300 秒内未显示新文件：\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.05)
            latency = time.perf_counter() - added
            peak_kb = vm_hwm_kb(proc.pid)  # the server's own peak since exec (not this script's)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return {"seconds": round(latency, 2), "first_build_seconds": round(first, 1),
            "idle_cpu_percent": round(idle_cpu * 100, 1), "rss_mb": round(peak_kb / 1024, 1)}


def info_zip(evidence: Path, out: Path) -> dict:
    """``zip -0 -r`` of the evidence tree, then ``unzip -t`` of the zip: Info-ZIP's write-and-verify of the same
    bytes, the yardstick the package is held to (seconds summed, the larger peak)."""
    try:
        packed = run(["zip", "-0", "-r", "-q", str(out), "."], evidence)
        tested = run(["unzip", "-t", "-q", str(out)], evidence)
    finally:
        out.unlink(missing_ok=True)
    return {"seconds": round(packed["seconds"] + tested["seconds"], 2), "zip_seconds": packed["seconds"],
            "unzip_t_seconds": tested["seconds"], "rss_mb": max(packed["rss_mb"], tested["rss_mb"])}


def vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def measure(n: int, mb: int, *, workdir_base: Path | None, package: bool, serve: bool, keep: bool,
            serve_idle: float = 5.0, search: bool = False) -> dict:
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    workdir = Path(tempfile.mkdtemp(prefix="handbook-bench-", dir=workdir_base))
    try:
        shim_env, git_log = git_shim(workdir)
        t0 = time.perf_counter()
        project, counts = prepare(workdir, n, mb)
        env = {**ENV, **shim_env, "PYTHONPATH": str(project / "hooks")}
        result: dict = {"n": n, "mb": mb, "files": counts["files"], "bytes": counts["bytes"],
                        "slot_big_mb": round(counts["slot_big_bytes"] / MB, 1),
                        "generate_seconds": round(time.perf_counter() - t0, 1)}
        steps = result["steps"] = {}
        print(f"   生成 {counts['files']} 个文件（{counts['bytes'] / MB:.0f} MB），用时 {result['generate_seconds']} 秒",
              flush=True)

        steps["full"] = {**run(mkdocs, project, env, git_log), **hook_stats(project)}
        steps["plain"] = run(mkdocs, plain_project(workdir, project), env)
        steps["nochange"] = {**run(mkdocs, project, env, git_log), **hook_stats(project)}
        result.update(site_figures(project / "site"))
        result["phases"] = phase_profile(project, env)
        result["browser"] = browser_figures(project / "site")
        if search:  # optional (--search): Pagefind index and the first query's transfer, in chromium
            from search_bench import measure_search

            steps["search"] = measure_search(project, env, TODAY)

        new_file = add_evidence_file(project, "新增工作计划", seed=7)
        steps["add1"] = {**run(mkdocs, project, env, git_log), **hook_stats(project)}
        steps["add1"]["shown"] = shows_title(site_page(project / "site"), "新增工作计划") and new_file.exists()

        city = change_plan(project)
        steps["plan"] = {**run(mkdocs, project, env, git_log), **hook_stats(project)}
        steps["plan"]["shown"] = city in (project / "site" / "index.html").read_text(encoding="utf-8")

        if serve:
            steps["serve"] = measure_serve(project, env, serve_idle)
        if package:
            out = workdir / "pkg"
            command = [sys.executable, "-m", "handbook", "--root", str(project), "package", "--out", str(out)]
            steps["package"] = run(command, project, env, git_log)
            evidence_bytes = counts["bytes"]
            steps["package"]["zip_mb"] = round(sum(p.stat().st_size for p in out.glob("*.zip")) / MB, 1)
            shutil.rmtree(out, ignore_errors=True)
            steps["cp"] = run(["cp", "-r", str(project / "evidence"), str(workdir / "cp-copy")], workdir)
            shutil.rmtree(workdir / "cp-copy", ignore_errors=True)
            if shutil.which("zip") and shutil.which("unzip"):
                steps["zip"] = info_zip(project / "evidence", workdir / "info-zip.zip")
            for key in [k for k in ("package", "cp", "zip") if k in steps]:
                steps[key]["mb_per_s"] = round(evidence_bytes / MB / max(steps[key]["seconds"], 0.01), 1)
        summarize(result)
        return result
    finally:
        if keep:
            print(f"   保留工作目录：{workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def summarize(result: dict) -> None:
    """The ratios the targets are stated in."""
    steps = result["steps"]
    full, plain, warm = steps["full"], steps["plain"]["seconds"], steps["nochange"]["seconds"]
    hashing = full.get("hash_seconds", 0.0)
    result["overhead_ratio"] = round(full["seconds"] / max(plain, 0.01), 2)
    result["overhead_ratio_net"] = round((full["seconds"] - hashing) / max(plain, 0.01), 2)
    result["warm_ratio"] = round(warm / max(plain, 0.01), 2)
    floor = result.get("phases", {}).get("floor_seconds")
    if floor:
        result["floor_ratio"] = round(warm / floor, 2)
    if "package" in steps:
        result["package_vs_cp"] = round(steps["package"]["mb_per_s"] / max(steps["cp"]["mb_per_s"], 0.01), 2)
    if "package" in steps and "zip" in steps:
        result["package_vs_zip"] = round(steps["package"]["seconds"] / max(steps["zip"]["seconds"], 0.01), 2)


# --------------------------------------------------------------------------- reporting


def machine() -> dict:
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), "0") if Path("/proc/meminfo").exists() else "0"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(int(mem) / 1024 / 1024, 1),
            "python": platform.python_version(), "system": platform.platform(),
            "date": dt.date.today().isoformat()}


STEP_NAMES = {
    "full": "完整构建（空缓存）", "plain": "纯 MkDocs（同样页面）", "nochange": "无变化重建",
    "add1": "新增 1 个文件后重建", "plan": "修改本地方案后重建", "serve": "serve：新文件上页",
    "package": "生成材料包", "cp": "cp -r 佐证目录", "zip": "zip -0 -r + unzip -t 佐证目录",
}


def table(results: list[dict]) -> str:
    rows = ["| N | 佐证 | 步骤 | 用时 s | 峰值内存 MB | 重新哈希 | git 调用 | 备注 |",
            "|---:|---:|---|---:|---:|---:|---:|---|"]
    for r in results:
        for step, s in r["steps"].items():
            if "seconds" not in s:  # the search figures have their own table
                continue
            rows.append(f"| {r['n']:,} | {r['bytes'] / MB:,.0f} MB | {STEP_NAMES.get(step, step)} | {s['seconds']} | "
                        f"{s.get('rss_mb', '')} | {s.get('hashed', '')} | {s.get('git_calls', '')} | {note(r, step, s)} |")
    return "\n".join(rows)


def note(r: dict, step: str, s: dict) -> str:
    if step == "full":
        return (f"{r['overhead_ratio']} × 纯 MkDocs；扣除读取新文件 {s.get('hash_seconds', 0)} s 后 "
                f"{r['overhead_ratio_net']} ×")
    if step == "nochange":
        floor = f"，{r['floor_ratio']} × 下限（扫描 + Jinja + 主题）" if r.get("floor_ratio") else ""
        return f"{r['warm_ratio']} × 纯 MkDocs{floor}"
    if step in ("add1", "plan"):
        return "页面已更新" if s.get("shown") else "**页面未更新**"
    if step == "serve":
        return f"首次构建 {s['first_build_seconds']} s；空闲时监视占 {s['idle_cpu_percent']}% 个核"
    if step == "package":
        versus_zip = f"，{r['package_vs_zip']} × (zip -0 -r + unzip -t)" if "package_vs_zip" in r else ""
        return f"{s['mb_per_s']} MB/s，{r['package_vs_cp']} × cp{versus_zip}"
    if step == "zip":
        return f"{s['mb_per_s']} MB/s（zip {s['zip_seconds']} s + unzip -t {s['unzip_t_seconds']} s）"
    if step == "cp":
        return f"{s['mb_per_s']} MB/s"
    return ""


def growth(results: list[dict]) -> dict:
    """How each figure grows from the smallest run to the largest (ratio large / small)."""
    if len(results) < 2:
        return {}
    small, large = results[0], results[-1]
    figures = {"files": large["n"] / small["n"], "bytes": large["bytes"] / max(small["bytes"], 1)}
    for step in large["steps"]:
        if step in small["steps"]:
            for key in ("seconds", "rss_mb"):
                a, b = small["steps"][step].get(key), large["steps"][step].get(key)
                if a and b:
                    figures[f"{step}.{key}"] = b / a
    for key in ("site_unique_mb", "faq_page_kb", "page_kb_median", "page_kb_max", "html_pages"):
        if small.get(key) and large.get(key):
            figures[key] = large[key] / small[key]
    return {k: round(v, 2) for k, v in figures.items()}


def verdicts(results: list[dict]) -> list[dict]:
    """Each target, met or not, from the figures (the README explains why when not)."""
    out = []

    def add(target: str, met: bool, detail: str) -> None:
        out.append({"target": target, "met": bool(met), "detail": detail})

    for r in results:
        tag = f"N={r['n']:,}"
        s = r["steps"]
        add(f"{tag} 完整构建 ≤ 1.3 × 纯 MkDocs + 读取新文件的时间", r["overhead_ratio_net"] <= TARGETS["overhead"],
            f"{r['overhead_ratio_net']} ×（含读取 {r['overhead_ratio']} ×）")
        add(f"{tag} 无变化重建不重新哈希", s["nochange"].get("hashed") == 0, f"重新哈希 {s['nochange'].get('hashed')} 个")
        add(f"{tag} 新增 1 个文件只哈希 1 个", s["add1"].get("hashed") == 1 and s["add1"].get("shown"),
            f"重新哈希 {s['add1'].get('hashed')} 个")
        add(f"{tag} 修改本地方案后页面更新", bool(s["plan"].get("shown")), "首页显示新城市名" if s["plan"].get("shown") else "未更新")
        calls = {k: v.get("git_calls") for k, v in s.items() if k in ("full", "nochange", "add1", "plan")}
        add(f"{tag} 每次构建 1 次 git 调用，与 N 无关", set(calls.values()) == {1},
            f"每次站点构建 {'、'.join(map(str, sorted(set(calls.values()))))} 次")
        if "serve" in s:
            add(f"{tag} serve 新文件 {TARGETS['serve_s']:g} 秒内上页", s["serve"]["seconds"] <= TARGETS["serve_s"],
                f"{s['serve']['seconds']} s")
        if r["n"] >= 10_000:
            add(f"{tag} 无变化重建 ≤ {TARGETS['nochange_s']:g} s（不含材料包）", s["nochange"]["seconds"] <= TARGETS["nochange_s"],
                f"{s['nochange']['seconds']} s")
            add(f"{tag} 最大生成页面 ≤ {TARGETS['page_kb']} KB", r["page_kb_max"] <= TARGETS["page_kb"],
                f"{r['page_kb_max']} KB（{r['page_max']}）")
        if r.get("browser"):
            b = r["browser"]
            add(f"{tag} 最大事项页在无头 Chromium 中 ≤ {TARGETS['item_load_ms']} ms 载入",
                b["load_ms"] <= TARGETS["item_load_ms"], f"{b['load_ms']} ms（{b['page']}，{b['kb']} KB，{b['dom_nodes']} 个节点）")
        peak = max((v.get("rss_mb") or 0) for v in s.values())
        add(f"{tag} 每一步峰值内存 ≤ {TARGETS['rss_mb']} MB", peak <= TARGETS["rss_mb"], f"最高 {peak} MB")
        if "package" in s:
            add(f"{tag} 打包吞吐 ≥ 0.7 × cp", r["package_vs_cp"] >= TARGETS["package_vs_cp"], f"{r['package_vs_cp']} ×")
            if "package_vs_zip" in r:
                add(f"{tag} 打包用时 ≤ {TARGETS['package_vs_zip']} × (zip -0 -r + unzip -t)",
                    r["package_vs_zip"] <= TARGETS["package_vs_zip"], f"{r['package_vs_zip']} ×")
            add(f"{tag} 打包峰值内存 < 400 MB", s["package"]["rss_mb"] < TARGETS["rss_mb"], f"{s['package']['rss_mb']} MB")
        add(f"{tag} 站点不随佐证字节增长（硬链接）", r["site_unique_mb"] < r["bytes"] / MB / 10,
            f"站点自身 {r['site_unique_mb']} MB，硬链接 {r['site_linked_mb']} MB")
    if len(results) > 1:
        g = growth(results)
        add("页面不随单位和文件数变重（导航）", g.get("faq_page_kb", 1) <= 1.05, f"固定内容页 faq 增长 {g.get('faq_page_kb')} ×")
        if "package.rss_mb" in g:
            add("打包内存不随文件大小增长", g["package.rss_mb"] <= 1.5, f"{g['package.rss_mb']} ×（字节 {g['bytes']} ×）")
    return out


def markdown_report(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# 规模基准：最新结果",
        "",
        "由 `benchmarks/bench.py` 生成（`make bench`），请勿手工编辑；说明见 benchmarks/README.md。",
        "",
        f"机器：{m['cpu']}，{m['cores']} 核，内存 {m['ram_gb']} GB，Python {m['python']}，{m['system']}，{m['date']}。",
        "",
        table(report["results"]),
        "",
        "## 站点",
        "",
        "| N | 站点自身 MB | 硬链接的佐证 MB | HTML 页数 | 页面中位数 KB | 最大页面 KB | faq 页 KB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        lines.append(f"| {r['n']:,} | {r['site_unique_mb']} | {r['site_linked_mb']} | {r['html_pages']} | "
                     f"{r['page_kb_median']} | {r['page_kb_max']}（{r['page_max']}） | {r['faq_page_kb']} |")
    lines += phase_table(report["results"])
    browsers = [r for r in report["results"] if r.get("browser")]
    if browsers:
        lines += ["", "## 浏览器（无头 Chromium，主题资源已缓存）", "",
                  "| N | 最大事项页 | KB | DOM 节点 | 载入 ms（中位数） |", "|---:|---|---:|---:|---:|"]
        lines += [f"| {r['n']:,} | {r['browser']['page']} | {r['browser']['kb']} | {r['browser']['dom_nodes']} | "
                  f"{r['browser']['load_ms']} |" for r in browsers]
    if report.get("growth"):
        lines += ["", "## 增长（最大规模 ÷ 最小规模）", "", "| 指标 | 倍数 |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in report["growth"].items()]
    lines += ["", "## 目标", "", "| 目标 | 达到 | 实测 |", "|---|---|---|"]
    lines += [f"| {v['target']} | {'是' if v['met'] else '**否**'} | {v['detail']} |" for v in report["verdicts"]]
    return "\n".join(lines) + "\n"


PHASE_NAMES = {
    "hook.archive": "读取、扫描（缓存）、判定", "hook.render": "Jinja 生成页面", "hook.changes": "近期提交页",
    "hook.link": "发布佐证（硬链接）", "hook.package": "材料包", "hook.worklists": "催报单",
    "hook.export": "handbook.json", "hook.search": "Pagefind 搜索索引", "markdown": "Markdown 转换（Page.render）",
    "search_pages": "Material 搜索插件（逐页）", "search_index": "Material 搜索索引", "theme_and_write": "主题模板与写出",
    "theme_static": "主题静态模板", "mkdocs_rest": "MkDocs 其余（收集、复制）",
}


def phase_table(results: list[dict]) -> list[str]:
    """Seconds per phase of a no-change build at each size (benchmarks/phases.py), with the floor."""
    profiled = [r for r in results if r.get("phases", {}).get("phases")]
    if not profiled:
        return []
    names = list(dict.fromkeys(k for r in profiled for k in r["phases"]["phases"]))
    lines = ["", "## 无变化构建的各阶段（进程内剖析，秒）", "",
             "| 阶段 | " + " | ".join(f"N={r['n']:,}" for r in profiled) + " |",
             "|---|" + "---:|" * len(profiled)]
    for name in names:
        lines.append(f"| {PHASE_NAMES.get(name, name)} | "
                     + " | ".join(str(r["phases"]["phases"].get(name, "")) for r in profiled) + " |")
    lines.append("| **合计** | " + " | ".join(f"**{r['phases']['seconds']}**" for r in profiled) + " |")
    lines.append("| 下限：扫描 + Jinja + 主题 | " + " | ".join(str(r["phases"]["floor_seconds"]) for r in profiled) + " |")
    return lines


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def disk_allows(mb: int, base: Path) -> bool:
    """Evidence + git objects + the zip + a cp copy, with a margin."""
    return shutil.disk_usage(base).free > mb * MB * 4.5 + 2 * 1024 * MB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="规模基准：构建、重建、serve、打包、内存")
    parser.add_argument("--sizes", default="1000:1024,10000:5120", help="N:MB 列表，逗号分隔（默认 1000:1024,10000:5120）")
    parser.add_argument("--no-package", action="store_true", help="不测打包")
    parser.add_argument("--no-serve", action="store_true", help="不测 mkdocs serve 延迟")
    parser.add_argument("--search", action="store_true", help="另测搜索：Pagefind 索引用时、大小、首次查询传输量（需要 chromium）")
    parser.add_argument("--workdir", type=Path, default=None, help="生成档案的位置（默认系统临时目录）")
    parser.add_argument("--keep", action="store_true", help="保留生成的项目（调试用）")
    parser.add_argument("--serve-idle", type=float, default=5.0, help="测量 serve 空闲时监视文件占用 CPU 的秒数")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="latest.json 的目录；RESULTS.md 写在其上一级")
    args = parser.parse_args(argv)
    base = args.workdir or Path(tempfile.gettempdir())
    results, skipped = [], []
    for spec in args.sizes.split(","):
        n, mb = (int(x) for x in spec.split(":"))
        if not disk_allows(mb, base):
            print(f"== N={n:,}, {mb} MB：磁盘空间不足，跳过", flush=True)
            skipped.append(spec)
            continue
        print(f"== N={n:,}, {mb} MB ...", flush=True)
        results.append(measure(n, mb, workdir_base=args.workdir, package=not args.no_package,
                               serve=not args.no_serve, keep=args.keep, serve_idle=args.serve_idle,
                               search=args.search))
        print(table(results[-1:]), flush=True)
    report = {"machine": machine(), "results": results, "skipped": skipped, "growth": growth(results)}
    report["verdicts"] = verdicts(results)
    write_atomic(args.out / "latest.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    write_atomic(args.out.parent / "RESULTS.md", markdown_report(report))
    print(markdown_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
