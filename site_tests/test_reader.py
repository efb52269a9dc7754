"""What a reader does, in headless Chromium (Debian's, driven by Playwright).

Search for a person, open the result, follow a cross-link to a country; no console error,
nothing requested from outside the site; hostile pages run nothing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_tests.conftest import ARTIFACTS, serve_folder

pytestmark = pytest.mark.browser

@pytest.fixture(scope="session")
def hostile_url(hostile_site: Path) -> str:
    return serve_folder(hostile_site)


class Watch:
    """Console errors, page errors, dialogs and every request a page makes."""

    def __init__(self, page: object) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: self.errors.append(str(e)))  # type: ignore[attr-defined]
        page.on("dialog", self._dialog)  # type: ignore[attr-defined]
        page.on("request", lambda r: self.requests.append(r.url))  # type: ignore[attr-defined]

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def outside(self) -> list[str]:
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme in ("http", "https") and urlsplit(u).hostname != "127.0.0.1"
        ]


def test_search_a_person_then_follow_a_link_to_a_country(browser: object, seed_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    watch = Watch(page)
    page.goto(seed_url + "/", wait_until="networkidle")  # the search worker has its index
    if page.locator("input.md-search__input").is_hidden():  # narrow screens fold the search box
        page.locator("label.md-search__icon").first.click()
    search = page.locator("input.md-search__input")
    search.click()
    # Key by key, as a reader types: Material reads the query on key events, so fill() (an
    # input event only) was seen only when the script happened to start after it.
    search.press_sequentially("Lavrov", delay=30)
    result = page.locator("a.md-search-result__link[href*='people/sergey-lavrov']").first
    result.wait_for(state="visible", timeout=20_000)
    result.click()
    page.wait_for_url("**/people/sergey-lavrov/**", timeout=20_000)
    assert page.locator("article h1").inner_text().strip().rstrip("¶") == "Sergey Lavrov"
    country = page.locator("article a[href*='countries/russia/']").first
    country.click()
    page.wait_for_url("**/countries/russia/", timeout=20_000)
    assert "Russia" in page.locator("article h1").inner_text()
    assert watch.errors == []
    assert watch.outside() == []
    page.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/timeline/",
        "/quotes/",
        "/people/sergey-lavrov/",
        "/countries/iran/",
        "/organizations/sco/",
        "/events/quad-meeting-2024/",
        "/sources/2024-10-03-joint-statement-critical-of-taliban/",
    ],
)
def test_pages_load_cleanly_and_only_from_the_site(browser: object, seed_url: str, path: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    watch = Watch(page)
    page.goto(seed_url + path, wait_until="networkidle")
    assert page.locator("article h1").count() == 1
    assert watch.errors == []
    assert watch.outside() == []
    ARTIFACTS.mkdir(exist_ok=True)
    name = path.strip("/").replace("/", "-") or "home"
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.close()


def test_paragraph_anchor_of_a_backlink_lands_on_the_sentence(browser: object, seed_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(seed_url + "/people/wang-yi/")
    link = page.locator("article a[href*='sources/'][href*='#p-']").first
    href = link.get_attribute("href")
    link.click()
    anchor, directive, _words = href.split("#", 1)[1].partition(":~:text=")
    assert directive  # the text fragment that highlights the sentence
    page.wait_for_url(f"**#{anchor}**")
    assert page.evaluate("location.hash") == f"#{anchor}"  # the directive is not part of the hash
    target = page.locator(f"[id='{anchor}']")
    assert target.count() == 1 and "Wang" in target.inner_text()
    assert target.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
    )
    page.close()


@pytest.mark.parametrize(
    "path",
    [
        "/sources/hostile-text/",
        "/countries/iran/",
        "/events/attack/",
        "/people/mallory/",
        "/sources/plain-author/",
        "/places/formula/",
        "/",
        "/quotes/",
        "/timeline/",
    ],
)
def test_hostile_pages_run_nothing(browser: object, hostile_url: str, path: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    watch = Watch(page)
    page.goto(hostile_url + path, wait_until="networkidle")
    page.mouse.move(200, 300)
    for link in page.locator("article a").all()[:20]:
        link.hover(force=True)  # force: in a picture, a neighbour's label may lie over the link
    assert watch.dialogs == []
    assert watch.errors == []
    assert watch.outside() == []
    assert (
        page.evaluate(
            "document.querySelectorAll('article script, article iframe, article object, article img').length"
        )
        == 0
    )
    page.close()
