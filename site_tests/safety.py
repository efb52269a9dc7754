"""What counts as live content in HTML: tags and attributes that run code or load from outside."""

from __future__ import annotations

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
