/* The handbook's search: Pagefind's index (site/pagefind/, chunks loaded on demand), shown in Material's
   own search box and result list. Titles and labels are set as text; only Pagefind's excerpt (the page's
   text, escaped by Pagefind, with <mark> around the matched words) is set as HTML. */
(function () {
  "use strict";
  var box = document.querySelector("[data-hb-search]");
  if (!box) return;
  var toggle = document.getElementById("__search");
  var form = box.querySelector("form");
  var input = box.querySelector(".md-search__input");
  var meta = box.querySelector("[data-hb-search-meta]");
  var list = box.querySelector("[data-hb-search-list]");
  var more = box.querySelector("[data-hb-search-more]");
  var root = new URL((box.getAttribute("data-hb-root") || ".") + "/", location.href);
  var hint = meta.textContent;
  var PAGE = 10;
  var engine = null;
  var shown = { results: [], count: 0, query: "" };

  function load() {
    if (!engine) {
      engine = import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
        // Result URLs are site-absolute ("/items/03/"); baseUrl keeps them right under a sub-path too.
        return pagefind.options({ baseUrl: root.pathname, excerptLength: 24 }).then(function () {
          pagefind.init();
          return pagefind;
        });
      }, function () {
        meta.textContent = "搜索索引不可用：请先运行 mkdocs build，并通过 HTTP 打开站点（不能用 file:// 直接打开）";
        engine = null;
        return null;
      });
    }
    return engine;
  }

  function open() {
    if (toggle && !toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
  }

  function close() {
    if (toggle && toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
    input.blur();
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function article(level, title, excerpt, kind) {
    var node = element("article", "md-search-result__article md-typeset");
    if (level === 1) node.appendChild(element("div", "md-search-result__icon md-icon"));
    if (kind) node.appendChild(element("span", "hb-search-kind", kind));
    node.appendChild(element(level === 1 ? "h1" : "h2", "", title));
    if (excerpt) {
      var p = element("p");
      p.innerHTML = excerpt;
      node.appendChild(p);
    }
    return node;
  }

  function link(url, child) {
    var a = element("a", "md-search-result__link");
    a.href = url;
    a.tabIndex = -1;
    a.appendChild(child);
    return a;
  }

  function item(result, query) {
    var li = element("li", "md-search-result__item");
    var kind = result.meta && result.meta.kind;
    li.appendChild(link(result.url, article(1, (result.meta && result.meta.title) || result.url,
                                            marked(result.excerpt, query), kind)));
    var title = result.meta && result.meta.title;
    var subs = (result.sub_results || []).filter(function (sub) {  // not the page itself again (its h1)
      return sub.url !== result.url && sub.title !== title;
    });
    // Sections that hold the whole query ("03.1") before sections that only share a word of it ("03.2").
    var whole = subs.filter(function (sub) {
      return compact(sub.title + plain(sub.excerpt)).indexOf(compact(query)) >= 0;
    });
    (whole.length ? whole : subs).slice(0, 3).forEach(function (sub) {
      li.appendChild(link(sub.url, article(2, sub.title, marked(sub.excerpt, query))));
    });
    return li;
  }

  function plain(excerpt) {
    var node = document.createElement("div");
    node.innerHTML = excerpt || "";
    return node.textContent;
  }

  /* Pagefind marks the words of its own segmentation: for "03.1" only "03" is marked. When the excerpt holds
     the query as typed, that is what gets marked. The excerpt is Pagefind's escaped HTML; the query is
     escaped the same way before it is looked for, so nothing typed becomes markup. */
  function marked(excerpt, query) {
    // Pagefind's excerpt window may begin on the full stop it put between two blocks (". 当年督导…").
    excerpt = (excerpt || "").replace(/^[\s.,;:，。、；：·]+/, "");
    var text = excerpt.replace(/<\/?mark>/g, "");
    var needle = escapeHtml(query.trim());
    if (!needle || text.indexOf(needle) < 0) return excerpt;
    return text.split(/(&#?\w+;)/).map(function (part, i) {  // odd parts are entities: never cut into
      return i % 2 ? part : part.split(needle).join("<mark>" + needle + "</mark>");
    }).join("");
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function showMore() {
    var next = shown.results.slice(list.children.length, list.children.length + PAGE);
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (data) {
      data.forEach(function (result) { list.appendChild(item(result, shown.query)); });
      more.hidden = list.children.length >= shown.count;
    });
  }

  /* Pagefind keeps a result only if it has every word of the query. Chinese is cut into words differently in
     different sentences (登封市 is one word in one page, 登封 + 市 in a file title), so a long query such as a
     file's full title can find nothing. Then each word is searched alone: the results with the most words
     first, then by their summed score. */
  function anyWords(pagefind, query) {
    var words = [];
    if (typeof Intl !== "undefined" && Intl.Segmenter) {
      var segments = new Intl.Segmenter("zh", { granularity: "word" }).segment(query);
      for (var s of segments) if (s.isWordLike) words.push(s.segment);
    } else {
      words = query.split(/\s+/);
    }
    if (words.length < 2) return { results: [] };
    return Promise.all(words.map(function (w) { return pagefind.search(w); })).then(function (all) {
      var byId = {};
      all.forEach(function (found) {
        (found ? found.results : []).forEach(function (r) {
          var seen = byId[r.id] || (byId[r.id] = { id: r.id, data: r.data, hits: 0, score: 0 });
          seen.hits += 1;
          seen.score += r.score;
        });
      });
      var results = Object.keys(byId).map(function (id) { return byId[id]; });
      results.sort(function (a, b) { return b.hits - a.hits || b.score - a.score; });
      return { results: results };
    });
  }

  /* Pagefind ranks by word statistics (BM25): a short file record whose title merely begins with a unit's
     name outranks the unit's own long page, and a 文号 cut into 登 / 爱卫 / 2025 / 2 / 号 matches every
     document of that office and year. It cannot know at ranking time whether the query occurs as one phrase
     (Pagefind issue #437); the loaded results can. So the first RERANK results are loaded and put in tiers:
     the title is the query, the title holds the query, the text holds the query, the rest. Among the titles
     that hold the query a page (item, unit, guide…) comes before a file's record: "垃圾分类" is in the title of
     item 14 and of two of its statistics files, and the item page is where all of them are listed. Where only
     the text holds it, no: a file name pasted into the box is also the guide's example, and the file is what is
     wanted. Then Pagefind's order. */
  var RERANK = 30;

  function compact(text) {
    return (text || "").replace(/\s+/g, "").toLowerCase();
  }

  var FILE_KIND = "佐证文件";  // outputs/search.py: the kind of a file's record

  function isFile(data) {
    return data.meta && data.meta.kind === FILE_KIND ? 1 : 0;
  }

  var TITLE_HOLDS = 2;

  function tier(data, query) {
    var title = compact(data.meta && data.meta.title);
    if (title === query) return 3;
    if (title.indexOf(query) >= 0) return TITLE_HOLDS;
    return compact(data.content).indexOf(query) >= 0 ? 1 : 0;
  }

  function reranked(results, query) {
    var wanted = compact(query);
    var head = results.slice(0, RERANK);
    return Promise.all(head.map(function (r) { return r.data(); })).then(function (data) {
      var loaded = data.map(function (d, i) {
        return { index: i, tier: tier(d, wanted), file: isFile(d), data: function () { return Promise.resolve(d); } };
      });
      loaded.sort(function (a, b) {
        return b.tier - a.tier || (a.tier === TITLE_HOLDS ? a.file - b.file : 0) || a.index - b.index;
      });
      return loaded.concat(results.slice(RERANK));
    });
  }

  function search() {
    var query = input.value.trim();
    if (!query) {
      list.textContent = "";
      meta.textContent = hint;
      more.hidden = true;
      return;
    }
    load().then(function (pagefind) {
      if (!pagefind) return null;
      return pagefind.debouncedSearch(query, {}, 150).then(function (found) {
        return found && !found.results.length ? anyWords(pagefind, query) : found;
      });
    }).then(function (found) {
      return found && found.results.length ? reranked(found.results, query) : found && found.results;
    }).then(function (results) {
      if (!results || input.value.trim() !== query) return; // a newer query is on its way
      shown = { results: results, count: results.length, query: query };
      list.textContent = "";
      return showMore().then(function () { // the count last: when it shows, the list is there
        meta.textContent = shown.count ? "找到 " + shown.count + " 个结果" : "没有找到与“" + query + "”相关的结果";
      });
    });
  }

  input.addEventListener("focus", function () { open(); load(); });
  input.addEventListener("input", search);
  more.addEventListener("click", showMore);
  form.addEventListener("reset", function () { setTimeout(function () { search(); input.focus(); }, 0); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) location.href = first.href;
  });
  if (toggle) {
    toggle.addEventListener("change", function () {
      if (toggle.checked && document.activeElement !== input) setTimeout(function () { input.focus(); }, 50);
    });
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "Escape" && toggle && toggle.checked) {
      close();
    } else if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey &&
               (event.key === "/" || event.key === "s" || event.key === "f")) {
      event.preventDefault();
      open();
      input.focus();
    }
  });
})();
