"""Quotes are found in the text whatever the white space and quotation-mark style."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.mentions import parse, resolve
from generator.quotes import find, normalize

BODY = (
    "In his remarks, Lavrov said that “the countries that are immediately\n"
    "neighboring Afghanistan” matter.\n\n"
    "“Acting in good faith,” he continued, “we can make a difference.”\n\n"
    "The ministry's statement said 'approaches were compared'."
)


FIRST = "the countries that are immediately\nneighboring Afghanistan"


@pytest.mark.parametrize(
    ("quote", "paragraph", "highlighted"),
    [
        ("the countries that are immediately neighboring Afghanistan", 1, {1: [FIRST]}),
        ("the countries that are   immediately neighboring\tAfghanistan", 1, {1: [FIRST]}),
        ("Acting in good faith,", 2, {2: ["Acting in good faith,"]}),
        ('"Acting in good faith," he continued', 2, {2: ["“Acting in good faith,” he continued"]}),
        (
            "The ministry’s statement said ‘approaches were compared’",
            3,
            {3: ["The ministry's statement said 'approaches were compared'"]},
        ),
        ("matter. “Acting", 1, {1: ["matter."], 2: ["“Acting"]}),  # across paragraphs: starts in the first
    ],
)
def test_found(quote: str, paragraph: int, highlighted: dict[int, list[str]]) -> None:
    text = resolve(parse(BODY), {})
    found = find(quote, text)
    assert found is not None
    assert found.first_paragraph == paragraph
    plain = {block.number: block.plain for block in text.paragraphs}
    assert {n: [plain[n][a:b] for a, b in spans] for n, spans in found.spans.items()} == highlighted


@pytest.mark.parametrize(
    "quote",
    [
        "the countries that are directly neighboring Afghanistan",
        "Acting in bad faith",
        "acting in good faith",  # case matters
        "",
    ],
)
def test_not_found(quote: str) -> None:
    assert find(quote, resolve(parse(BODY), {})) is None


@pytest.mark.parametrize(
    ("text", "folded", "index"),
    [
        ("  a\n\n“b”  c", 'a "b" c', [2, 4, 5, 6, 7, 9, 10]),  # a run's space stands for its last character
        ("The ministry’s", "The ministry's", list(range(14))),  # one character for one: a plain shift
        ("x\t \ny ", "x y", [0, 3, 4]),
        ("\n\n«a»\u00a0„b“", '"a" "b"', [2, 3, 4, 5, 6, 7, 8]),
        (" \t\n", "", []),
    ],
)
def test_normalize_maps_every_character_back(text: str, folded: str, index: list[int]) -> None:
    assert normalize(text) == (folded, index)
    for i, origin in enumerate(index):  # each folded character comes from its original
        original = text[origin]
        assert original == folded[i] or (folded[i] == " " and original.isspace()) or folded[i] in "\"'", (i, origin)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=list("“”„‟″«»‘’‚‛′`'\" \t\n\x1c\x1f\x85\xa0\u2003\u3000ab"), max_size=20))
def test_folding_is_the_regular_expressions_folding(text: str) -> None:
    """The fast paths (ASCII text, str.split) fold as the three regular expressions do."""
    import re

    marks = re.sub("[‘’‚‛′`]", "'", re.sub("[“”„‟″«»]", '"', text))
    folded, _index = normalize(text)
    assert folded == re.sub(r"\s+", " ", marks.strip())
