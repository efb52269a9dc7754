"""The fixture corpus of texts in Chinese, Russian, Persian and Urdu, with a translation pair:
golden pages, a real `mkdocs build --strict`, what a reader's browser shows, and search in
every script with both engines (lunr and Pagefind) in headless Chromium.

Regenerate the golden pages after an intended change with
``UPDATE_GOLDEN=1 python -m pytest site_tests/test_languages_site.py -k golden`` and review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.site import generate
from site_tests.conftest import FIXTURES, ROOT, build_site, serve_folder

LANGUAGES = FIXTURES / "languages"
CONTENT = LANGUAGES / "content"
EXPECTED = LANGUAGES / "expected"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    result = generate(CONTENT, ROOT / "templates", LANGUAGES)
    assert result.ok, [p.format() for p in result.problems]
    assert result.warnings == [], [p.format() for p in result.warnings]
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, markdown in result.pages.items():
            target = EXPECTED / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown, encoding="utf-8")
    return dict(result.pages)


def test_golden_same_set_of_pages(pages: dict[str, str]) -> None:
    expected = sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*.md"))
    assert sorted(pages) == expected


@pytest.mark.parametrize(
    "rel",
    sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*.md")) if EXPECTED.exists() else [],
)
def test_golden_page(pages: dict[str, str], rel: str) -> None:
    assert pages.get(rel) == (EXPECTED / rel).read_text(encoding="utf-8")


# -- what the pages say, beyond the golden files: the facts the issue asks for ------------------

LINKED = [
    # page, the text linked, the record it links (a Markdown link in the page's text)
    ("sources/wang-yi-tianjin-zh.md", "王毅", "people/wang-yi.md"),
    ("sources/wang-yi-tianjin-zh.md", "塔利班", "organizations/taliban.md"),  # inside 阿富汗塔利班
    ("sources/wang-yi-tianjin-zh.md", "阿富汗", "countries/afghanistan.md"),
    ("sources/wang-yi-tianjin-zh.md", "天津", "places/tianjin.md"),
    ("sources/wang-yi-tianjin-zh.md", "中国", "countries/china.md"),
    ("sources/lavrov-moscow-ru.md", "Сергей Лавров", "people/sergey-lavrov.md"),
    ("sources/lavrov-moscow-ru.md", "Лаврова", "people/sergey-lavrov.md"),  # genitive
    ("sources/lavrov-moscow-ru.md", "Лавровым", "people/sergey-lavrov.md"),  # instrumental
    ("sources/lavrov-moscow-ru.md", "Москве", "places/moscow.md"),  # locative
    ("sources/lavrov-moscow-ru.md", "Кабулов", "people/zamir-kabulov.md"),  # as written
    ("sources/tehran-statement-fa.md", "طالبان", "organizations/taliban.md"),  # after از
    ("sources/tehran-statement-fa.md", "چین", "countries/china.md"),  # before the Persian comma
    ("sources/islamabad-ur.md", "اسلام آباد", "places/islamabad.md"),
    ("sources/islamabad-ur.md", "طالبان", "organizations/taliban.md"),
]


@pytest.mark.parametrize(("page", "shown", "target"), LINKED)
def test_names_are_linked_in_every_script(pages: dict[str, str], page: str, shown: str, target: str) -> None:
    assert re.search(r"\[" + re.escape(shown) + r"\]\([./]*" + re.escape(target), pages[page]), shown


def test_a_record_with_inflect_false_matches_only_as_written(pages: dict[str, str]) -> None:
    text = pages["sources/lavrov-moscow-ru.md"]
    assert "Замиром Кабуловым" in text
    assert "[Замиром Кабуловым]" not in text and "[Кабуловым]" not in text


MARKED = [
    # page, a line of it that must be there
    (
        "sources/tehran-statement-fa.md",
        '# بیانیه وزارت امور خارجه ایران درباره افغانستان { lang="fa" dir="rtl" }',
    ),
    ("sources/tehran-statement-fa.md", '{ #p-1 lang="fa" dir="rtl" }'),
    ("sources/tehran-statement-fa.md", "    - **Language:** Persian"),
    ("sources/islamabad-ur.md", "    - **Language:** Urdu"),
    ("sources/wang-yi-tianjin-zh.md", '{ #p-1 lang="zh" }'),
    ("sources/wang-yi-tianjin-zh.md", "    - **Language:** Chinese"),
    ("sources/lavrov-moscow-ru.md", "    - **Language:** Russian"),
    ("sources/lavrov-moscow-en.md", "    - **Language:** English"),
]


@pytest.mark.parametrize(("page", "line"), MARKED)
def test_texts_are_marked_with_their_language(pages: dict[str, str], page: str, line: str) -> None:
    assert line in pages[page].splitlines()


def test_an_english_text_carries_no_language_marks(pages: dict[str, str]) -> None:
    text = pages["sources/lavrov-moscow-en.md"].split("## Text", 1)[1].split("## Quotes", 1)[0]
    assert "lang=" not in text


def test_quotes_and_backlink_sentences_keep_their_language_on_english_pages(pages: dict[str, str]) -> None:
    taliban = pages["organizations/taliban.md"]
    assert '- “<span lang="fa" dir="rtl">سخنگوی وزارت خارجه گفت: «ما از **طالبان**' in taliban
    assert '- “<span lang="zh">2021年7月28日，国务委员兼外长王毅在天津会见阿富汗**塔利班**' in taliban
    assert '### <span lang="ur" dir="rtl">[اسلام آباد میں افغانستان' in taliban
    iran = pages["countries/iran.md"]
    assert '> <span lang="fa" dir="rtl">جمهوری اسلامی ایران از تشکیل دولتی فراگیر' in iran


def test_a_translation_and_its_original_link_each_other(pages: dict[str, str]) -> None:
    original = pages["sources/lavrov-moscow-ru.md"]
    translation = pages["sources/lavrov-moscow-en.md"]
    assert "    - **Translation in English:** [Sergey Lavrov's remarks" in original
    assert "(lavrov-moscow-en.md " in original
    assert '    - **Original in Russian:** <span lang="ru">[Выступление Сергея Лаврова' in translation
    assert "(lavrov-moscow-ru.md " in translation


def test_backlinks_show_a_text_with_its_translation(pages: dict[str, str]) -> None:
    lavrov = pages["people/sergey-lavrov.md"].split("\n## Mentions\n", 1)[1]
    original = lavrov.index('### <span lang="ru">[Выступление Сергея Лаврова')
    translation = lavrov.index("### [Sergey Lavrov's remarks")
    assert original < translation  # the translation, though newer, right after its original
    between = lavrov[original:translation]
    assert "### " not in between.split("\n", 1)[1]  # no other source in between
    assert 'Translation in English of <span lang="ru">[Выступление' in lavrov[translation:]


def test_dates_and_numbers_are_left_as_written(pages: dict[str, str]) -> None:
    assert "2021年7月28日，" in pages["sources/wang-yi-tianjin-zh.md"]
    assert "прошла 20 октября." in pages["sources/lavrov-moscow-ru.md"]


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    result = generate(CONTENT, ROOT / "templates", LANGUAGES)
    assert result.ok
    return dict(result.files)


def test_feed_entries_carry_the_language_of_their_title(files: dict[str, str]) -> None:
    feed = files["feeds/organizations/taliban.xml"]
    assert '<title xml:lang="fa">بیانیه وزارت امور خارجه ایران درباره افغانستان</title>' in feed
    assert '<title xml:lang="zh">王毅会见阿富汗塔利班政治委员会负责人巴拉达尔</title>' in feed
    assert "<title>Sergey Lavrov's remarks" in feed  # English, like the feed: no mark


def test_json_ld_and_open_data_carry_the_language_and_the_translation(
    pages: dict[str, str], files: dict[str, str]
) -> None:
    import json

    import yaml

    front = yaml.safe_load(pages["sources/lavrov-moscow-en.md"].split("---")[1])
    data = json.loads(front["structured_data"])
    assert data["inLanguage"] == "en"
    assert [node["@id"].rsplit("/", 2)[-2] for node in data["translationOfWork"]] == ["lavrov-moscow-ru"]
    original = json.loads(
        yaml.safe_load(pages["sources/lavrov-moscow-ru.md"].split("---")[1])["structured_data"]
    )
    assert original["inLanguage"] == "ru"
    assert [node["@id"].rsplit("/", 2)[-2] for node in original["workTranslation"]] == ["lavrov-moscow-en"]
    record = json.loads(files["data/sources/lavrov-moscow-en.json"])
    assert record["fields"]["translation_of"] == "lavrov-moscow-ru"
    assert {
        "type": "translation_of",
        "from": "lavrov-moscow-en",
        "to": "lavrov-moscow-ru",
        "language": "en",
    } in record["relations"]


# -- the built site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lunr_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("languages-lunr"), CONTENT)


@pytest.fixture(scope="module")
def pagefind_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("languages-pagefind"), CONTENT, search="pagefind")


@pytest.mark.slow
def test_the_fixture_builds_strictly_with_rtl_and_lang_in_the_html(lunr_site: Path) -> None:
    html = (lunr_site / "sources" / "tehran-statement-fa" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<h1 [^>]*dir="rtl"[^>]*>|<h1 [^>]*lang="fa"[^>]*>', html), "title"
    assert re.search(r'<p (?=[^>]*id="p-1")(?=[^>]*lang="fa")(?=[^>]*dir="rtl")[^>]*>', html), "text"
    zh = (lunr_site / "sources" / "wang-yi-tianjin-zh" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<p (?=[^>]*id="p-1")(?=[^>]*lang="zh")[^>]*>', zh)
    taliban = (lunr_site / "organizations" / "taliban" / "index.html").read_text(encoding="utf-8")
    assert '<span dir="rtl" lang="fa">' in taliban or '<span lang="fa" dir="rtl">' in taliban


@pytest.mark.browser
@pytest.mark.slow
def test_a_persian_text_is_shown_right_to_left(browser: Any, lunr_site: Path) -> None:
    page = browser.new_page()
    try:
        page.goto(serve_folder(lunr_site) + "/sources/tehran-statement-fa/", wait_until="networkidle")
        paragraph = page.locator("#p-1")
        assert paragraph.evaluate("node => getComputedStyle(node).direction") == "rtl"
        assert paragraph.evaluate("node => node.lang") == "fa"
        box = paragraph.bounding_box()
        text_end = paragraph.evaluate(
            "node => { const r = document.createRange(); r.selectNodeContents(node);"
            " const rects = [...r.getClientRects()]; return Math.max(...rects.map(x => x.right)); }"
        )
        assert box is not None and abs(box["x"] + box["width"] - text_end) < 2  # set flush right
        # on an English page, a Persian sentence is isolated: the quotation marks stay outside
        page.goto(serve_folder(lunr_site) + "/organizations/taliban/", wait_until="networkidle")
        span = page.locator('span[lang="fa"][dir="rtl"]').first
        assert span.evaluate("node => getComputedStyle(node).unicodeBidi") == "isolate"
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        page.close()


QUERIES = [
    # engine, query typed, a page the results must hold
    ("lunr", "塔利班", "/sources/wang-yi-tianjin-zh/"),  # inside 阿富汗塔利班
    ("lunr", "Лаврова", "/sources/lavrov-moscow-ru/"),
    ("lunr", "طالبان", "/sources/tehran-statement-fa/"),
    ("pagefind", "塔利班", "/sources/wang-yi-tianjin-zh/"),  # inside 阿富汗塔利班: the zh index
    ("pagefind", "塔利班", "/organizations/taliban/"),  # the alias standing alone on its record's page
    ("pagefind", "Лаврова", "/sources/lavrov-moscow-ru/"),
    ("pagefind", "طالبان", "/sources/tehran-statement-fa/"),
]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(("engine", "query", "expected"), QUERIES)
def test_search_finds_a_word_typed_in_each_script(
    browser: Any, request: pytest.FixtureRequest, engine: str, query: str, expected: str
) -> None:
    site = request.getfixturevalue(f"{engine}_site")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(serve_folder(site) + "/", wait_until="networkidle")
        page.keyboard.press("/")  # Material's shortcut focuses the search box
        box = page.locator("input.md-search__input")
        box.press_sequentially(query, delay=40)
        # Playwright types letters outside the keyboard's layout as text input, without the
        # keyup a real keyboard (or an input method finishing a word) sends; Material's box
        # searches on keyup
        page.keyboard.press("End")
        hit = page.locator(f"li.md-search-result__item a.md-search-result__link[href*='{expected}']")
        hit.first.wait_for(state="visible", timeout=30_000)
        assert errors == []
    finally:
        page.close()


# -- Pagefind's segmented index of the texts in Chinese, Japanese and Thai ----------------------

BLOCKS = [
    # a page's HTML, the languages of generator.search.SEGMENTED its text is written in
    ('<p id="p-1" lang="zh">王毅在天津</p>', {"zh"}),
    ('<h1 id="_1" lang="ja">東京</h1><p lang="ja">本文</p>', {"ja"}),
    ("<p lang='th' id=\"p-2\">กรุงเทพ</p>", {"th"}),
    ('<p lang="zh-Hant">臺北</p><p lang="ja">東京</p>', {"ja", "zh"}),
    ('<p id="p-1" lang="ru">Москва</p>', set()),  # words between spaces: the main index has them
    ('<p>Also known as: <span lang="zh">塔利班</span></p>', set()),  # a phrase in an English text
    ('<p class="unindexed"><span lang="zh">阿富汗</span></p><p class="x unindexed" lang="zh">阿</p>', set()),
    ('<html lang="zh"><body><p>English</p></body></html>', set()),  # the page's chrome, not its text
    ('<pre lang="zh">代码</pre><p data-lang="zh">x</p>', set()),
]


@pytest.mark.parametrize(("html", "expected"), BLOCKS)
def test_which_pages_get_a_segmented_index(html: str, expected: set[str]) -> None:
    from generator.search import segmented_languages

    assert segmented_languages(html.encode("utf-8")) == expected


def _fragment(path: Path) -> dict[str, Any]:
    import gzip
    import json

    data = gzip.decompress(path.read_bytes())
    return json.loads(data[len(b"pagefind_dcd") :])


@pytest.mark.slow
def test_a_chinese_text_is_indexed_again_in_chinese_and_merged(pagefind_site: Path) -> None:
    import json

    bundle = pagefind_site / "pagefind"
    entry = json.loads((bundle / "zh" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["zh"] and entry["languages"]["zh"]["page_count"] == 1
    assert not (bundle / "zh" / "pagefind.js").exists()  # merged: it runs on the main bundle's script
    assert not list((bundle / "zh").glob("wasm.*"))
    (fragment,) = [_fragment(p) for p in (bundle / "zh" / "fragment").glob("*.pf_fragment")]
    assert fragment["url"] == "/sources/wang-yi-tianjin-zh/"
    assert "\u200b阿富汗\u200b" in fragment["content"]  # segmented: 阿富汗 is a word of its own
    merge = json.loads((bundle / "corpus-merge.json").read_text(encoding="utf-8"))
    ((zh_id, main_id),) = merge["merge"][0]["same"].items()
    assert merge["merge"][0]["language"] == "zh" and merge["merge"][0]["path"] == "zh/"
    assert _fragment(bundle / "fragment" / f"{main_id}.pf_fragment")["url"] == fragment["url"]
    assert zh_id == next((bundle / "zh" / "fragment").glob("*.pf_fragment")).name.split(".")[0]
    # the main index is the one every page had before: all of them, in English
    main = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(main["languages"]) == ["en"]


@pytest.mark.slow
def test_the_segmented_index_is_deterministic(pagefind_site: Path, tmp_path: Path) -> None:
    import hashlib

    from generator.search import run_pagefind

    copy = tmp_path / "site"
    shutil.copytree(pagefind_site, copy)
    run = run_pagefind(copy)
    assert run.segmented == (("zh", 1),)

    def digest(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    assert digest(copy / "pagefind") == digest(pagefind_site / "pagefind")


def test_chinese_pages_without_the_extended_indexer_are_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    from generator import search

    page = tmp_path / "site" / "sources" / "a-zh" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text('<article class="md-content__inner"><p lang="zh">塔利班</p></article>', encoding="utf-8")
    (tmp_path / "site" / "index.html").write_text(
        "<article class='md-content__inner'>x</article>", encoding="utf-8"
    )
    real = importlib.util.find_spec
    monkeypatch.setattr(
        search.importlib.util, "find_spec", lambda name: None if name == search.EXTENDED else real(name)
    )
    with pytest.raises(search.PagefindError, match=r"pages in zh need .*pip install pagefind-bin-extended"):
        search.run_pagefind(tmp_path / "site")


@pytest.mark.browser
@pytest.mark.slow
def test_a_page_both_indexes_find_is_shown_once(browser: Any, pagefind_site: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(serve_folder(pagefind_site) + "/", wait_until="networkidle")
        page.keyboard.press("/")
        # on the Chinese text's page in English too ("Reports: Wang Yi meets a Taliban delegation…")
        page.locator("input.md-search__input").press_sequentially("Tianjin", delay=40)
        page.keyboard.press("End")
        # one batch of results: the page (its text) is found by both indexes
        page.locator("li.md-search-result__item > a[href$='/sources/wang-yi-tianjin-zh/']").first.wait_for(
            state="visible", timeout=30_000
        )
        meta = page.locator(".md-search-result__meta").inner_text().strip()
        found = int(meta.split()[0])
        documents = page.locator("li.md-search-result__item > a:first-child")
        for _ in range(20):  # scrolled to the end, the box fetches the rest of the results
            if documents.count() >= found:
                break
            page.locator(".md-search__scrollwrap").evaluate("node => { node.scrollTop = node.scrollHeight; }")
            page.wait_for_timeout(250)
        hrefs = documents.evaluate_all("links => links.map(link => new URL(link.href).pathname)")
        assert "/places/tianjin/" in hrefs  # the English index's own answers are still there
        assert hrefs.count("/sources/wang-yi-tianjin-zh/") == 1, hrefs
        assert len(hrefs) == len(set(hrefs)) == found, (meta, hrefs)
        assert errors == []
    finally:
        page.close()


@pytest.fixture(scope="module")
def zensical_pagefind_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standalone project (`generator build --out`) with `extra: {corpus_search: pagefind}`
    in its mkdocs.yml, built by Zensical and indexed by `python -m generator search SITE`."""
    import subprocess
    import sys

    import yaml

    from site_tests.test_docs_project import builder

    zensical = builder("zensical")
    project = tmp_path_factory.mktemp("languages-zensical") / "project"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "generator", "build", "--content", str(CONTENT), "--out", str(project)]
    written = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert written.returncode == 0, written.stderr
    config = project / "mkdocs.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings.setdefault("extra", {})["corpus_search"] = "pagefind"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    built = subprocess.run(
        [str(zensical), "build", "--clean"], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stdout + built.stderr
    site = project / "site"
    command = [sys.executable, "-m", "generator", "search", str(site)]
    indexed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert indexed.returncode == 0, indexed.stderr
    return site


@pytest.mark.browser
@pytest.mark.slow
def test_a_zensical_build_searches_with_pagefind_when_its_config_says_so(
    browser: Any, zensical_pagefind_site: Path
) -> None:
    import json

    site = zensical_pagefind_site
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "data-corpus-search" in html and 'data-md-component="search"' not in html
    # Zensical's script still downloads its own index for any search box: it is left empty
    assert json.loads((site / "search.json").read_text(encoding="utf-8"))["items"] == []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(serve_folder(site) + "/", wait_until="networkidle")
        page.keyboard.press("/")
        page.locator("input.md-search__input").press_sequentially("塔利班", delay=40)
        page.keyboard.press("End")
        hit = page.locator(
            "li.md-search-result__item a.md-search-result__link[href*='/sources/wang-yi-tianjin-zh/']"
        )
        hit.first.wait_for(state="visible", timeout=30_000)
        assert errors == []
    finally:
        page.close()
