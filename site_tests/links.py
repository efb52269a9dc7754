"""Checks every internal link and anchor of a built site."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        for attr in ("href", "src"):
            if values.get(attr) and tag in ("a", "link", "script", "img", "source", "iframe"):
                self.links.append(str(values[attr]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def broken_links(site: Path) -> list[str]:
    """``page -> link`` for every internal link whose file or anchor does not exist."""
    pages: dict[Path, _Page] = {p: _parse(p) for p in site.rglob("*.html")}
    broken: list[str] = []
    for path, page in sorted(pages.items()):
        if path.name == "404.html":
            continue  # served at any depth; Material makes its links absolute to site_url
        base = "/" + path.relative_to(site).as_posix()
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue
            if not parts.path:
                target = path
            else:
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(parts.path)))
                if resolved.startswith(".."):
                    broken.append(f"{base} -> {link} (leaves the site)")
                    continue
                target = site / resolved.lstrip("/")
                if link.endswith("/") or target.is_dir():
                    target = target / "index.html"
            if not target.exists():
                broken.append(f"{base} -> {link}")
                continue
            anchor = parts.fragment.partition(":~:")[0]  # a text directive is not part of the id
            if anchor and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(anchor) not in ids:
                    broken.append(f"{base} -> {link} (no anchor)")
    return broken
