"""Converted pages kept between builds (render/page_store.py)."""

from __future__ import annotations

from handbook.render.page_store import PageStore, StoredPage, context_digest, page_key, toc_from_data, toc_to_data


class Link:  # stands in for MkDocs' AnchorLink (this module never imports MkDocs)
    def __init__(self, title, id, level):
        self.title, self.id, self.level, self.children = title, id, level, []


def test_a_stored_page_comes_back_as_it_was_put(tmp_path):
    store = PageStore(tmp_path / ".cache" / "handbook")
    key = page_key("# 第 3 项", "items/03.md", context_digest("mkdocs.yml text", "items/03.md\nindex.md"))
    assert store.get(key) is None and store.misses == 1
    links = {"units/aiwei.md": {"m03-1": "../units/aiwei.md#m03-1"}}
    store.put(key, StoredPage(html="<h1 id=\"第-3-项\">第 3 项</h1>", toc=[], title="第 3 项", anchors={"b", "a"},
                              links=links))
    again = PageStore(tmp_path / ".cache" / "handbook").get(key)  # another build process
    assert again == StoredPage(html="<h1 id=\"第-3-项\">第 3 项</h1>", toc=[], title="第 3 项", anchors=["a", "b"],
                               links={"units/aiwei.md": {"m03-1": "../units/aiwei.md#m03-1"}})
    assert (tmp_path / ".cache/handbook/pages" / f"{key}.json").is_file()


def test_the_key_changes_with_the_markdown_the_page_and_the_context():
    context = context_digest("config", "pages")
    key = page_key("text", "items/03.md", context)
    assert page_key("text", "items/03.md", context) == key
    assert page_key("text ", "items/03.md", context) != key
    assert page_key("text", "items/04.md", context) != key  # relative links resolve from the page
    assert page_key("text", "items/03.md", context_digest("config", "pages", "another page")) != key
    assert context_digest("ab", "c") != context_digest("a", "bc")


def test_toc_round_trips_through_plain_data():
    top = Link("已收集文件", "已收集文件", 2)
    top.children.append(Link("03.1 年度工作计划", "m03-1", 3))
    data = toc_to_data([top])
    assert data == [{"title": "已收集文件", "id": "已收集文件", "level": 2,
                     "children": [{"title": "03.1 年度工作计划", "id": "m03-1", "level": 3, "children": []}]}]
    rebuilt = toc_from_data(data, Link)
    assert [(i.title, i.id, i.level) for i in rebuilt] == [("已收集文件", "已收集文件", 2)]
    assert [(i.title, i.id, i.level) for i in rebuilt[0].children] == [("03.1 年度工作计划", "m03-1", 3)]


def test_a_damaged_or_older_entry_is_converted_again(tmp_path):
    store = PageStore(tmp_path)
    store.folder.mkdir(parents=True)
    (store.folder / "k1.json").write_text("{not json", encoding="utf-8")
    (store.folder / "k2.json").write_text('{"format": 0, "html": "", "toc": [], "title": null, "anchors": null, '
                                          '"links": {}}',
                                          encoding="utf-8")
    assert store.get("k1") is None and store.get("k2") is None and store.hits == 0


def test_prune_keeps_only_the_pages_this_build_used(tmp_path):
    store = PageStore(tmp_path)
    for key in ("used", "old"):
        store.put(key, StoredPage(html=key))
    (store.folder / ".old.abc.tmp").write_text("half written", encoding="utf-8")
    assert store.prune({"used"}) == 2
    assert sorted(p.name for p in store.folder.iterdir()) == ["used.json"]
