"""What counts as live content in HTML: tags and attributes that run code or load from outside."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

LIVE_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "frame",
    "frameset",
    "applet",
    "base",
    "form",
    "meta",
    "link",
    "style",
    "svg",
    "math",
}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}


class _Collector(HTMLParser):
    def __init__(self, allowed_tags: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LIVE_TAGS and tag not in self.allowed_tags:
            self.found.append(f"<{tag}>")
        if tag == "img":
            self.found.append("<img>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRS and value:
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                if scheme in ("javascript", "data", "vbscript"):
                    self.found.append(f"{tag}[{name}={value[:30]}]")


def live_content(html: str, allowed_tags: set[str] | None = None) -> list[str]:
    """Every tag or attribute in ``html`` that could run code or fetch something."""
    collector = _Collector(allowed_tags or set())
    collector.feed(html)
    return collector.found


# -- a whole page: the theme's own live parts are known, anything else is the corpus's -----------

THEME_FORMS = {"md-header__option", "md-search__form"}  # the palette toggle and the search box
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Page(HTMLParser):
    """Live content anywhere in a page, and the text of each region (article, sidebars,
    header, footer) as a reader sees it."""

    REGIONS = (("article", "article"), ("md-sidebar", "sidebar"), ("md-header", "header"), ("md-footer", "footer"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []  # inline scripts: attributes, text
        self.text: dict[str, list[str]] = {name: [] for _, name in self.REGIONS}
        self._stack: list[tuple[str, set[str]]] = []
        self._script: dict[str, str | None] | None = None

    def _regions(self) -> set[str]:
        inside = set()
        for tag, names in self._stack:
            for marker, region in self.REGIONS:
                if marker == tag or marker in names:
                    inside.add(region)
        return inside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRS and value and value.strip().split(":", 1)[0].lower() in ("javascript", "data", "vbscript") and ":" in value:
                self.found.append(f"{tag}[{name}={value[:30]}]")
            if name == "title" and value and "<" in value:  # Material's content.tooltips shows it as HTML
                self.found.append(f"{tag}[title={value[:30]}]")
        if tag == "script":
            src = attributes.get("src")
            if src is not None:
                if "//" in src or ":" in src or not src.endswith(".js"):
                    self.found.append(f"<script src={src[:40]}>")
            else:
                self._script = attributes
        elif tag == "form":
            if not classes & THEME_FORMS:
                self.found.append(f"<form class={sorted(classes)}>")
        elif tag == "link":
            href = attributes.get("href") or ""
            if attributes.get("rel") == "stylesheet" and ("//" in href or ":" in href):
                self.found.append(f"<link stylesheet {href[:40]}>")
        elif tag in LIVE_TAGS - {"script", "form", "link", "meta", "svg"} or tag == "img":
            self.found.append(f"<{tag}>")
        if tag not in VOID:
            self._stack.append((tag, classes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))
            return
        for region in self._regions():
            self.text[region].append(data)


@dataclass(frozen=True)
class PageCheck:
    live: list[str]  # live content that is not the theme's own
    json_ld: list[str]  # the JSON-LD scripts' text
    text: dict[str, str]  # region -> its text, white space folded


def check_page(html: str, marker: str = "alert(") -> PageCheck:
    """The whole page: every tag and attribute that could run code or fetch, except the
    theme's own (local scripts and stylesheets, its inline scripts, its two forms, its SVG
    icons); an inline script that holds ``marker`` (a string of the corpus) is the corpus's."""
    parser = _Page()
    parser.feed(html)
    parser.close()
    live = list(parser.found)
    json_ld = []
    for attributes, text in parser.scripts:
        kind = attributes.get("type")
        if kind == "application/ld+json":
            json_ld.append(text)
        elif kind == "application/json" and attributes.get("id") == "__config":
            if marker in text:
                live.append("corpus text in the theme's configuration")
        elif marker in text:
            live.append(f"<script>{text[:40]}")
    text = {region: " ".join(" ".join(parts).split()) for region, parts in parser.text.items()}
    return PageCheck(live, json_ld, text)
