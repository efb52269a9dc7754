"""Quotes are found in the text whatever the white space and quotation-mark style."""

import pytest

from generator.mentions import parse, resolve
from generator.quotes import find, normalize

BODY = (
    "In his remarks, Lavrov said that “the countries that are immediately\n"
    "neighboring Afghanistan” matter.\n\n"
    "“Acting in good faith,” he continued, “we can make a difference.”\n\n"
    "The ministry's statement said 'approaches were compared'."
)


@pytest.mark.parametrize(
    ("quote", "paragraph"),
    [
        ("the countries that are immediately neighboring Afghanistan", 1),
        ("the countries that are   immediately neighboring\tAfghanistan", 1),
        ("Acting in good faith,", 2),
        ('"Acting in good faith," he continued', 2),
        ("The ministry’s statement said ‘approaches were compared’", 3),
        ("matter. “Acting", 1),  # across paragraphs: starts in the first
    ],
)
def test_found(quote: str, paragraph: int) -> None:
    found = find(quote, resolve(parse(BODY), {}))
    assert found is not None
    assert found.first_paragraph == paragraph


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


def test_normalize_maps_back() -> None:
    folded, index = normalize("  a\n\n“b”  c")
    assert folded == 'a "b" c'
    assert [index[i] for i in range(len(folded))][:1] == [2]
