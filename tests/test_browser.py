"""The built site in a real browser (Debian chromium driven by playwright): pages open, search finds Chinese
terms, the phone layout does not overflow, and no request leaves 127.0.0.1.

Skipped with a reason when chromium or playwright is missing, unless CI=true (then it fails).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from test_site_build import built  # noqa: F401  (the module-scoped build fixture)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


def _need(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true 时浏览器测试不能跳过：{reason}")
    pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def server(built):  # noqa: F811
    _, site, _ = built
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _need(f"没有找到 chromium（{CHROMIUM}）；Debian 上用 apt-get install chromium 安装")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("没有安装 python playwright 包")
    with sync_playwright() as p:
        user_data = tmp_path_factory.mktemp("chromium-profile")
        context = p.chromium.launch_persistent_context(
            str(user_data), executable_path=CHROMIUM, headless=True, args=ARGS)
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    outside = [u for u in page.requests
               if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"]
    page.close()
    assert not outside, f"站点向外部主机发出了请求：{outside}"


def test_home_item_and_unit_pages_open(page, server, built):  # noqa: F811
    page.goto(server)
    assert f"{built[2].project.plan.city}国家卫生城市复审资料手册" in page.inner_text("h1")
    # Two charts since the 问题台账 came: completion by category, and the progress curve (材料完成率 and
    # 未整改问题 over time; the fixture has findings), each drawn once.
    assert page.locator(".hb-chart svg:not(.hb-progress)").count() == 1
    assert page.locator(".hb-chart svg.hb-progress").count() == 1
    assert "进度曲线" in page.inner_text("article")
    page.goto(server + "items/03/")
    assert "第 3 项" in page.inner_text("h1")
    assert page.locator(".hb-badge.hb-lock").count() >= 1
    assert page.locator("img[src=x]").count() == 0  # the hostile file name stays text
    page.goto(server + "units/songyang/")
    assert "嵩阳街道" in page.inner_text("h1")


def test_search_finds_item_45(page, server, built):  # noqa: F811
    root, site, archive = built
    if not (site / "pagefind").is_dir():  # the plugin writes it at on_post_build; this test does not wait for that
        from handbook.outputs.search import build_search_index

        build_search_index(site, archive, root / ".cache" / "handbook")
    page.goto(server)
    page.click(".md-search__input")
    page.fill(".md-search__input", "病媒生物")
    page.wait_for_selector(".md-search-result__item", timeout=45000)  # Pagefind loads its wasm on the first query
    links = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert any("/items/45/" in href for href in links), links


def test_phone_layout_does_not_overflow(browser, server):
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        for url in ("", "items/03/", "units/songyang/"):
            page.goto(server + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{url or '首页'} 在手机宽度下横向溢出（{width}px）"
    finally:
        page.close()
