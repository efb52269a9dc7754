"""Finding a quote in a text, ignoring white space and the style of quotation marks."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from generator.mentions import Text

_QUOTE_MARKS = str.maketrans({c: '"' for c in "“”„‟″«»"} | {c: "'" for c in "‘’‚‛′`"})


@dataclass(frozen=True)
class Found:
    """Where a quote stands: the paragraph it starts in and the highlighted ranges."""

    first_paragraph: int
    spans: dict[int, list[tuple[int, int]]]  # paragraph number → plain-text ranges


def normalize(text: str) -> tuple[str, list[int]]:
    """Folded text (one space for any white space, straight quotation marks) and, for each
    of its characters, the index of the character it came from."""
    chars: list[str] = []
    index: list[int] = []
    pending_space = False
    for i, ch in enumerate(text.translate(_QUOTE_MARKS)):
        if ch.isspace():
            pending_space = bool(chars)
            continue
        if pending_space:
            chars.append(" ")
            index.append(i - 1)
            pending_space = False
        chars.append(ch)
        index.append(i)
    return "".join(chars), index


def _layout(text: Text) -> tuple[str, list[tuple[int, int]]]:
    """The text's paragraphs joined, with (start offset, paragraph number) of each."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for block in text.paragraphs:
        starts.append((offset, block.number))
        parts.append(block.plain)
        offset += len(block.plain) + 2
        parts.append("\n\n")
    return "".join(parts), starts


def find(quote: str, text: Text) -> Found | None:
    full, starts = _layout(text)
    haystack, index = normalize(full)
    needle, _ = normalize(quote)
    if not needle:
        return None
    at = haystack.find(needle)
    if at < 0:
        return None
    begin = index[at]
    end = index[at + len(needle) - 1] + 1
    spans: dict[int, list[tuple[int, int]]] = {}
    first = 0
    for i, (start, number) in enumerate(starts):
        stop = starts[i + 1][0] - 2 if i + 1 < len(starts) else len(full)
        lo, hi = max(begin, start), min(end, stop)
        if lo < hi:
            spans.setdefault(number, []).append((lo - start, hi - start))
            first = first or number
    return Found(first, spans)


def closest_passage(quote: str, text: Text) -> str:
    """The stretch of the text most like the quote, for an error message."""
    full, _ = _layout(text)
    haystack, _ = normalize(full)
    needle, _ = normalize(quote)
    if not haystack or not needle:
        return ""
    sentences = [s for s in re.split(r"(?<=[.!?\"])\s+", haystack) if s]
    best = max(sentences, key=lambda s: difflib.SequenceMatcher(None, needle, s).ratio(), default="")
    return best if len(best) <= 160 else best[:157] + "…"
