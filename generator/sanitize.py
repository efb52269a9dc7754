"""A second line of defence: the HTML of every page's content, cleaned with nh3 (ammonia).

The generator already escapes everything the corpus says, so on a correct build this
removes nothing. It is there for what a mistake could let through — a template that
prints a field unescaped, a Markdown extension switched on later — and keeps only what
Python-Markdown, the extensions the site uses and the generator's own pictures produce.
"""

from __future__ import annotations

import nh3

TEXT_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "ins",
    "kbd",
    "li",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
SVG_TAGS = {
    "svg",
    "g",
    "title",
    "desc",
    "text",
    "tspan",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "path",
    "defs",
    "marker",
    "use",
    "symbol",
    "clipPath",
    "pattern",
    "linearGradient",
    "radialGradient",
    "stop",
}
GENERIC_ATTRIBUTES = {
    "id",
    "class",
    "title",
    "lang",
    "dir",
    "role",
    "aria-label",
    "aria-labelledby",
    "aria-describedby",
    "aria-hidden",
    "tabindex",
}
TAG_ATTRIBUTES = {
    "a": {"href", "hreflang", "rel"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "time": {"datetime"},
    "details": {"open"},
    "div": {"data-pagefind-ignore"},  # the mention lists: see generator/search.py
    "svg": {"viewBox", "width", "height", "preserveAspectRatio", "xmlns", "focusable"},
}
SVG_ATTRIBUTES = {
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "width",
    "height",
    "transform",
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "marker-end",
    "marker-start",
    "markerWidth",
    "markerHeight",
    "refX",
    "refY",
    "orient",
    "offset",
    "stop-color",
    "dx",
    "dy",
    "vector-effect",
    "paint-order",
}


def sanitize(html: str) -> str:
    """Keep the markup of text, tables and pictures; drop scripts, handlers and unsafe URLs."""
    attributes: dict[str, set[str]] = {"*": set(GENERIC_ATTRIBUTES)}
    for tag, names in TAG_ATTRIBUTES.items():
        attributes[tag] = set(names)
    for tag in SVG_TAGS:
        attributes.setdefault(tag, set()).update(SVG_ATTRIBUTES)
    attributes["a"].update({"href"})
    return str(
        nh3.clean(
            html,
            tags=TEXT_TAGS | SVG_TAGS,
            attributes=attributes,
            link_rel=None,
            url_schemes={"http", "https", "mailto"},
            filter_style_properties={"text-align"},
            strip_comments=True,
        )
    )
