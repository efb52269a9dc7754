"""The pictures in a real browser (headless Chromium): they render, they navigate, they are
accessible (axe-core finds nothing serious), and they fit a phone and the dark scheme.

Screenshots of the pages go to ``site_tests/artifacts/`` (the README shows copies kept in
``site_tests/screenshots/``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from site_tests.conftest import ARTIFACTS
from site_tests.test_reader import Watch

pytestmark = pytest.mark.browser

PICTURE_PAGES = {
    "/": 1,
    "/timeline/": 3,
    "/countries/china/": 2,
    "/places/dushanbe/": 3,
    "/events/quad-meeting-2024/": 1,
    "/network/": 1,
    "/map/": 1,
    "/countries/china/with/russia/": 1,
}


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"picture-{name}.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("path", "count"), PICTURE_PAGES.items())
def test_pictures_render_with_no_error(page: object, seed_url: str, path: str, count: int) -> None:
    watch = Watch(page)
    page.goto(seed_url + path, wait_until="networkidle")  # type: ignore[attr-defined]
    figures = page.locator("figure.picture svg")  # type: ignore[attr-defined]
    assert figures.count() >= count
    for i in range(figures.count()):
        box = figures.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 50
    assert watch.errors == []
    assert watch.outside() == []
    name = path.strip("/").replace("/", "-") or "home"
    _shot(page, name)
    for i in range(figures.count()):
        figure = figures.nth(i).locator("xpath=ancestor::figure")
        figure.screenshot(path=str(ARTIFACTS / f"figure-{name}-{i + 1}.png"))


@pytest.mark.parametrize(
    ("path", "selector", "lands_on"),
    [
        ("/timeline/", "#picture-timeline a[href$='events/sco-summit-2021/']", "/events/sco-summit-2021/"),
        ("/countries/china/", "#picture-graph a[href='../russia/']", "/countries/russia/"),
        ("/network/", "#picture-network a[href$='people/sergey-lavrov/']", "/people/sergey-lavrov/"),
        ("/map/", "#picture-map a[href$='places/moscow/']", "/places/moscow/"),
        ("/events/csto-summit-2021/", "#picture-map a[href$='countries/armenia/']", "/countries/armenia/"),
    ],
)
def test_clicking_a_picture_opens_the_record(
    page: object, seed_url: str, path: str, selector: str, lands_on: str
) -> None:
    page.goto(seed_url + path)  # type: ignore[attr-defined]
    target = page.locator(selector).first  # type: ignore[attr-defined]
    target.scroll_into_view_if_needed()
    target.click()
    page.wait_for_url(seed_url + lands_on)  # type: ignore[attr-defined]
    assert page.locator("article h1").count() == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/timeline/",
        "/countries/china/",
        "/events/quad-meeting-2024/",
        "/sources/2024-10-03-joint-statement-critical-of-taliban/",
        "/network/",
        "/map/",
    ],
)
def test_axe_finds_no_serious_violation(page: object, seed_url: str, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(seed_url + path, wait_until="networkidle")  # type: ignore[attr-defined]
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pictures_fit_a_phone_in_both_schemes(browser: object, seed_url: str, scheme: str) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, color_scheme=scheme, is_mobile=True
    )
    page = context.new_page()
    page.goto(seed_url + "/countries/china/", wait_until="networkidle")
    # The page itself never scrolls sideways: a wide picture scrolls inside its frame.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    frame = page.locator("#picture-graph .picture-scroll")
    assert frame.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    label = page.locator("#picture-graph text.label").first
    fill = label.evaluate("e => getComputedStyle(e).fill")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert fill != background  # text follows the scheme's foreground
    frame.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"phone-{scheme}-china-graph.png"))
    context.close()


def _colours(browser: object, url: str, scheme: str) -> tuple[str, str, str]:
    """A picture label's fill, a line's stroke and the page's background in ``scheme``."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, color_scheme=scheme)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        label = page.locator("#picture-graph text.label").first
        line = page.locator("#picture-graph line, #picture-graph path").first
        return (
            label.evaluate("e => getComputedStyle(e).fill"),
            line.evaluate("e => getComputedStyle(e).stroke"),
            page.evaluate("getComputedStyle(document.body).backgroundColor"),
        )
    finally:
        context.close()


def test_the_dark_scheme_redraws_the_pictures_in_its_own_colours(browser: object, seed_url: str) -> None:
    light = _colours(browser, seed_url + "/countries/china/", "light")
    dark = _colours(browser, seed_url + "/countries/china/", "dark")
    assert light[2] != dark[2], "the page follows the scheme"
    assert light[0] != dark[0], "the labels follow it too"
    assert light[1] != dark[1], "and the lines"
    for fill, _stroke, background in (light, dark):
        assert fill != background
