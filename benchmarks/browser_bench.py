"""Browser figures of a built site: the largest item page's bytes, DOM nodes and load time in headless Chromium.

``measure_browser(site)`` serves ``site`` on a local port and opens the largest ``items/NN/index.html`` in
Debian's chromium (Playwright), once to fill the cache with the theme's CSS and JavaScript, then
``LOADS`` times; the load time is the Navigation Timing ``loadEventEnd`` (request start to the load event), the
median of those loads. A user opening an item page from the navigation has the theme cached too.
"""

from __future__ import annotations

import functools
import http.server
import statistics
import tempfile
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
LOADS = 5


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def largest_item_page(site: Path) -> Path | None:
    pages = [p for p in (site / "items").glob("*/index.html")]
    return max(pages, key=lambda p: p.stat().st_size, default=None)


def measure_browser(site: Path) -> dict:
    from playwright.sync_api import sync_playwright

    page_path = largest_item_page(site)
    if page_path is None:
        return {}
    relative = page_path.relative_to(site).parent.as_posix() + "/"
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{relative}"
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                           args=["--no-sandbox", "--disable-gpu"])
            page = context.new_page()
            page.goto(url, wait_until="load")  # the theme's assets into the cache
            loads = []
            for _ in range(LOADS):
                page.goto(url, wait_until="load")
                loads.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
            nodes = page.evaluate("document.getElementsByTagName('*').length")
            context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return {"page": relative, "kb": round(page_path.stat().st_size / 1024, 1), "dom_nodes": nodes,
            "load_ms": round(statistics.median(loads)), "load_ms_all": [round(x) for x in loads]}


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(measure_browser(Path(sys.argv[1])), ensure_ascii=False))
