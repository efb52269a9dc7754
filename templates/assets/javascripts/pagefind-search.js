/* Material's search box, fed by Pagefind instead of Material's lunr worker.
 *
 * Loaded by templates/theme/partials/search.html only when the corpus plugin chose Pagefind.
 * It keeps Material's look (its markup and classes) and keyboard use: "/", "s" or "f" focuses
 * the box, arrows move through the results, Enter opens the first one, Escape or Tab closes.
 * pagefind.js (written by the indexer into site/pagefind/) is imported on the first focus;
 * a query then fetches only the index chunks and result fragments it needs.
 *
 * Nothing from the index becomes markup except Pagefind's <mark> highlighting: titles and
 * excerpts are split on <mark>/</mark> and every other piece is set as text.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var root = document.querySelector("[data-corpus-search]");
  var toggle = document.getElementById("__search");
  if (!script || !root || !toggle) return;
  var query = root.querySelector("[data-corpus-search-query]");
  var result = root.querySelector("[data-corpus-search-result]");
  var meta = result.firstElementChild;
  var list = result.lastElementChild;
  var scrollwrap = result.parentElement;
  var config = JSON.parse(document.getElementById("__config").textContent);
  var bundle = new URL(script.getAttribute("data-pagefind"), location.href).href;
  var PAGE = 10; // results rendered at a time; more are fetched on scrolling down

  function t(key, value) {
    var text = (config.translations && config.translations[key]) || key;
    return value === undefined ? text : text.replace("#", String(value));
  }

  // -- Pagefind, imported once ---------------------------------------------------------------
  // pagefind/corpus-merge.json lists the indexes of the pages in a language written without
  // spaces (Chinese, Japanese, Thai), segmented by word; they are merged into the search, and
  // `same` maps each of their pages to its id in the main index, so that it is shown once.
  var same = {};
  function merges() {
    return fetch(new URL("corpus-merge.json", bundle).href)
      .then(function (response) { return response.ok ? response.json() : { merge: [] }; })
      .catch(function () { return { merge: [] }; });
  }
  var pagefind = null;
  function load() {
    if (!pagefind) {
      pagefind = Promise.all([import(bundle), merges()]).then(function (loaded) {
        var module = loaded[0];
        var merge = (loaded[1] && loaded[1].merge) || [];
        return Promise.resolve(module.options({ excerptLength: 24, noWorker: true }))
          .then(function () { return module.init(); })
          .then(function () {
            return Promise.all(merge.map(function (index) {
              Object.keys(index.same || {}).forEach(function (id) { same[id] = index.same[id]; });
              var path = new URL(index.path, bundle).href;
              return module.mergeIndex(path, { language: index.language, excerptLength: 24 });
            }));
          })
          .then(function () {
            if (!query.value) meta.textContent = t("search.result.placeholder");
            return module;
          });
      });
      pagefind.catch(function (error) {
        meta.textContent = "Search could not be loaded";
        if (window.console) console.error(error);
      });
    }
    return pagefind;
  }
  // a page found by the main index and a merged one, once: the better-scored of the two
  function once(results) {
    var seen = {};
    return results.filter(function (hit) {
      var page = same[hit.id] || hit.id;
      if (seen[page]) return false;
      seen[page] = true;
      return true;
    });
  }

  // -- Text from the index: only <mark> becomes markup -----------------------------------------
  var ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'" };
  function decode(text) {
    return String(text).replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, function (entity) {
      return ENTITIES[entity];
    });
  }
  // (the zero-width spaces a segmented index puts between the words of a Chinese text go)
  function appendMarked(parent, html) {
    var marked = false;
    String(html).replace(/\u200b/g, "").split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      if (!part) return;
      var text = document.createTextNode(decode(part));
      if (marked) {
        var mark = document.createElement("mark");
        mark.appendChild(text);
        parent.appendChild(mark);
      } else {
        parent.appendChild(text);
      }
    });
  }
  function sameSite(url) {
    var target = new URL(url, bundle);
    return target.origin === location.origin ? target.href : null;
  }
  function element(tag, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  // -- Results, in Material's markup -----------------------------------------------------------
  function link(href, title, excerpt, isDocument) {
    var anchor = element("a", "md-search-result__link");
    anchor.href = href;
    anchor.tabIndex = -1;
    var article = element("article", "md-search-result__article md-typeset");
    if (isDocument) article.appendChild(element("div", "md-search-result__icon md-icon"));
    var heading = element(isDocument ? "h1" : "h2");
    appendMarked(heading, title);
    article.appendChild(heading);
    if (excerpt) {
      var text = element("p");
      appendMarked(text, excerpt);
      article.appendChild(text);
    }
    anchor.appendChild(article);
    return anchor;
  }
  function item(data) {
    var href = sameSite(data.url);
    if (!href) return null;
    var title = (data.meta && data.meta.title) || data.url;
    var node = element("li", "md-search-result__item");
    node.appendChild(link(href, title, data.excerpt, true));
    (data.sub_results || [])
      .filter(function (sub) { return sub.url && sub.url.indexOf("#") > 0 && sub.title; })
      .slice(0, 3)
      .forEach(function (sub) {
        var subHref = sameSite(sub.url);
        if (subHref) node.appendChild(link(subHref, sub.title, sub.excerpt, false));
      });
    return node;
  }

  var generation = 0; // the newest query; answers to older ones are dropped
  var found = [];
  var shown = 0;
  var loading = false;
  var timer = 0;

  function count(total, value) {
    if (total === 0) return value ? t("search.result.none") : t("search.result.placeholder");
    return total === 1 ? t("search.result.one") : t("search.result.other", total);
  }
  function more(current) {
    var batch = found.slice(shown, shown + PAGE);
    if (!batch.length || loading) return;
    shown += batch.length;
    loading = true;
    Promise.all(batch.map(function (hit) { return hit.data(); }))
      .then(function (pages) {
        if (current !== generation) return;
        pages.forEach(function (data) {
          var node = item(data);
          if (node) list.appendChild(node);
        });
      })
      .catch(function (error) { if (window.console) console.error(error); })
      .then(function () {
        loading = false;
        // fill the open panel until it scrolls; a closed one (height 0) fetches nothing more
        var room = toggle.checked && scrollwrap.clientHeight > 0 && scrollwrap.scrollHeight <= scrollwrap.clientHeight;
        if (current === generation && room) more(current);
      });
  }
  function show(results, value, current) {
    found = results;
    shown = 0;
    loading = false;
    list.textContent = "";
    scrollwrap.scrollTop = 0;
    meta.textContent = count(results.length, value);
    more(current);
  }
  function run() {
    var value = query.value;
    var current = ++generation;
    if (!value.trim()) {
      show([], "", current);
      return;
    }
    load()
      .then(function (module) { return module.search(value); })
      .then(function (search) {
        if (current === generation && search) show(once(search.results), value, current);
      })
      .catch(function (error) { if (window.console) console.error(error); });
  }

  // -- Material's behaviour ----------------------------------------------------------------------
  function setToggle(value) {
    if (toggle.checked !== value) toggle.click();
  }
  function listVisible() {
    list.hidden = !toggle.checked;
    list.setAttribute("role", toggle.checked ? "list" : "presentation");
  }
  toggle.addEventListener("change", listVisible);
  listVisible();

  query.addEventListener("focus", function () {
    setToggle(true);
    load();
  });
  query.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  query.form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  query.form.addEventListener("reset", function () {
    setTimeout(function () { run(); query.focus(); });
  });
  var opener = document.querySelector("header [for=__search]");
  if (opener) opener.addEventListener("click", function () { query.focus(); });
  root.addEventListener("click", function (ev) {
    if (ev.target instanceof Element && ev.target.closest("a")) setToggle(false);
  });
  scrollwrap.addEventListener("scroll", function () {
    if (scrollwrap.scrollTop + scrollwrap.clientHeight >= scrollwrap.scrollHeight - 120) more(generation);
  });

  function typing(active, key) {
    if (active instanceof HTMLInputElement) return active.type === "radio" ? /^Arrow/.test(key) : true;
    if (active instanceof HTMLSelectElement || active instanceof HTMLTextAreaElement) return true;
    return !!(active && active.isContentEditable);
  }
  function claim(ev) {
    ev.preventDefault();
    ev.stopPropagation();
  }
  window.addEventListener("keydown", function (ev) {
    if (ev.metaKey || ev.ctrlKey) return;
    var active = document.activeElement === document.body ? null : document.activeElement;
    if (!toggle.checked) {
      if ((ev.key === "f" || ev.key === "s" || ev.key === "/") && !typing(active, ev.key)) {
        query.focus();
        query.select();
        claim(ev);
      }
      return;
    }
    switch (ev.key) {
      case "Enter":
        if (active === query) {
          var first = list.querySelector("a[href]");
          if (first) first.click();
          claim(ev);
        }
        break;
      case "Escape":
      case "Tab":
        setToggle(false);
        query.blur();
        break;
      case "ArrowUp":
      case "ArrowDown":
        if (!active) {
          query.focus();
        } else {
          var links = [query].concat(Array.prototype.slice.call(list.querySelectorAll("a[href]")));
          var step = ev.key === "ArrowUp" ? -1 : 1;
          links[(Math.max(0, links.indexOf(active)) + links.length + step) % links.length].focus();
        }
        claim(ev);
        break;
      default:
        if (active !== query) query.focus();
    }
  });

  // ?q=… opens the search with that query, as Material's does
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    setToggle(true);
    query.value = asked;
    query.focus();
    run();
  }
})();
