"""Text fragments: ``#p-3:~:text=…`` links that make a browser highlight the exact sentence.

A text directive (https://wicg.github.io/scroll-to-text-fragment/) follows the element's
anchor: a browser that supports it scrolls to the text and highlights it; one that does not,
or does not find the text, still goes to the paragraph. Long passages are given by their
first and last words (``text=start,end``), which keeps links short and survives small
differences in the middle.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

EDGE_WORDS = 5
"""Words kept at each end of a long passage."""

_ELISION = re.compile(r"…|\.\.\.|\[…\]|\[\.\.\.\]")


def _encode(words: list[str]) -> str:
    """The words, space-separated and percent-encoded: word by word, since the same words
    recur in passage after passage (the encoding of a space is ``%20`` wherever it stands)."""
    return "%20".join(map(_encode_word, words))


@functools.lru_cache(maxsize=1 << 16)
def _encode_word(word: str) -> str:
    # ',', '-' and '&' delimit the directive's parts; quote() leaves '-' alone, so it is done here.
    return quote(word, safe="").replace("-", "%2D")


@functools.lru_cache(maxsize=16384)
def text_directive(passage: str) -> str:
    """The ``:~:text=…`` directive for a passage, or ``""`` when it has no words.

    An ellipsis marks words left out (a shortened sentence, an elided quote): the directive
    then runs from the first words before it to the last words after it."""
    if "…" not in passage and "..." not in passage:  # no ellipsis (every elision holds one): one piece
        words = passage.split()
        if not words:
            return ""
        if len(words) <= 2 * EDGE_WORDS:
            return ":~:text=" + _encode(words)
        return ":~:text=" + _encode(words[:EDGE_WORDS]) + "," + _encode(words[-EDGE_WORDS:])
    pieces = [words for words in (piece.split() for piece in _ELISION.split(passage)) if words]
    if not pieces:
        return ""
    if len(pieces) == 1 and len(pieces[0]) <= 2 * EDGE_WORDS:
        return ":~:text=" + _encode(pieces[0])
    return ":~:text=" + _encode(pieces[0][:EDGE_WORDS]) + "," + _encode(pieces[-1][-EDGE_WORDS:])
