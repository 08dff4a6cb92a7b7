"""Pages written as HTML reach the theme with what the toc extension would have given them (html_pages)."""

from __future__ import annotations

from pymdownx.slugs import slugify

from handbook_mkdocs.html_pages import HtmlPages, TocSettings, headings

MATERIAL = TocSettings(slugify=slugify(case="lower"), permalink="¶")  # as in the project's mkdocs.yml


def test_headings_get_the_ids_toc_makes_repeats_numbered_written_ids_kept_and_a_permalink():
    body = ('<h1>第 3 项 Plan &amp; 总结</h1>\n<h2>标准要求</h2>\n<h3 id="m03-1">03.1 年度计划</h3>\n'
            '<h2>标准要求</h2>\n<h2 id="已收集文件" data-search-exclude>已收集文件</h2>\n')
    html, tokens, title = headings(body, MATERIAL)  # ids checked against Python-Markdown 3 with the same toc
    assert title == "第 3 项 Plan & 总结"
    assert '<h1 id="第-3-项-plan--总结">第 3 项 Plan &amp; 总结<a class="headerlink" href="#第-3-项-plan--总结" ' \
           'title="Permanent link">¶</a></h1>' in html
    assert '<h2 id="标准要求_1">' in html  # the second heading of the same words, as toc numbers it
    assert '<h2 id="已收集文件" data-search-exclude>已收集文件<a class="headerlink" href="#已收集文件"' in html
    assert [t["id"] for t in tokens] == ["第-3-项-plan--总结"]
    assert [(t["id"], [c["id"] for c in t["children"]]) for t in tokens[0]["children"]] == [
        ("标准要求", ["m03-1"]), ("标准要求_1", []), ("已收集文件", [])]
    assert tokens[0]["name"] == "第 3 项 Plan &amp; 总结"  # the theme shows the toc title as HTML


def test_an_html_page_is_taken_only_with_the_marker():
    class _File:
        src_uri = "items/03.md"

    class _Page:
        file = _File()

    pages = HtmlPages()
    assert not pages.take("# 提交指南\n", _Page())
    assert pages.take("<!-- handbook: html -->\n<h1>x</h1>\n", _Page())
    assert pages.bodies == {"items/03.md": "<h1>x</h1>\n"}


def test_each_template_environment_is_made_once_per_process():
    """The changes and package pages ask for ``environment()``; the item and unit pages for ``environment(True)``.
    All three asks share two environments, so no build compiles a template twice (a third, cached apart, used
    to push the HTML environment out and make every build compile the item templates again)."""
    from handbook.render.pages import environment

    html = environment(True)
    markdown = environment(False)
    assert environment() is markdown
    assert environment(True) is html and html is not markdown
    template = html.get_template("item.md.j2")
    environment()
    environment(False)
    assert environment(True).get_template("item.md.j2") is template  # compiled once, still cached
