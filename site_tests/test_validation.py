"""Every violation of the format is reported at its file and line, naming the field."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from generator.problems import Severity
from generator.site import check
from site_tests.bad_inputs import BASE, CASES, Case, write_case

README = Path(__file__).resolve().parent.parent / "README.md"


def test_base_corpus_is_clean(tmp_path: Path) -> None:
    content = write_case(Case("base", {}, "", 0, ()), tmp_path)
    corpus, problems = check(content, tmp_path)
    assert [p.format() for p in problems if p.severity is Severity.ERROR] == []
    assert corpus is not None and len(corpus.records) == len(BASE)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_is_located(case: Case, tmp_path: Path) -> None:
    content = write_case(case, tmp_path)
    started = time.monotonic()
    _corpus, problems = check(content, tmp_path)
    assert time.monotonic() - started < 10, "checking a small corpus must not hang"
    errors = [p for p in problems if p.severity is Severity.ERROR]
    shown = "\n".join(p.format() for p in problems)
    matching = [p for p in errors if p.path == case.path and all(w in p.message for w in case.words)]
    assert matching, f"expected an error at {case.path} containing {case.words}, got:\n{shown}"
    assert matching[0].line == case.line, shown


def test_all_problems_are_collected_in_one_run(tmp_path: Path) -> None:
    case = Case(
        "many",
        {
            "countries/iran.md": "---\nname: Iran\niso: XQ\n---\n",
            "places/tehran.md": "---\nname: Tehran\ncountry: persia\n---\n",
            "sources/report.md": "---\ntitle: R\npublished: 2021-02-30\n---\n",
            "events/tehran-meeting.md": "---\ntitle: M\ndate: 2021\nplace: nowhere\n---\n[[nobody]]\n",
        },
        "",
        0,
        (),
    )
    _corpus, problems = check(write_case(case, tmp_path), tmp_path)
    paths = {p.path for p in problems if p.severity is Severity.ERROR}
    assert paths == {
        "content/countries/iran.md",
        "content/places/tehran.md",
        "content/sources/report.md",
        "content/events/tehran-meeting.md",
    }


def test_ambiguous_alias_is_a_warning(tmp_path: Path) -> None:
    case = Case(
        "ambiguous",
        {
            "organizations/iran-mfa.md": "---\nname: Iranian Foreign Ministry\naliases: [Foreign Ministry]\n---\n",
            "organizations/russia-mfa.md": "---\nname: Russian Foreign Ministry\naliases: [Foreign Ministry]\n---\n",
        },
        "",
        0,
        (),
    )
    _corpus, problems = check(write_case(case, tmp_path), tmp_path)
    warnings = [p for p in problems if p.severity is Severity.WARNING and "Foreign Ministry" in p.message]
    assert {p.path for p in warnings} == {
        "content/organizations/iran-mfa.md",
        "content/organizations/russia-mfa.md",
    }
    assert all(p.line == 3 for p in warnings)


def test_check_runs_twice_with_the_same_result(tmp_path: Path) -> None:
    content = write_case(CASES[0], tmp_path)
    assert check(content, tmp_path)[1] == check(content, tmp_path)[1]


# -- what the README promises ----------------------------------------------------------------

# every "did you mean" the README's "What each error means" shows -> the bad input giving it
README_SUGGESTIONS = {
    "unknown folder 'evnts'; did you mean 'events'?": "file in an unknown folder",
    "unknown field 'alises'; did you mean 'aliases'?": "unknown field with suggestion",
    "field 'iso': 'XQ' is not an ISO 3166-1 alpha-2 or alpha-3 code; did you mean 'IR'?": "fake ISO code",
    "field 'participants[1].id': unknown id 'rusia'; did you mean 'russia'?": "unknown participant",
    "mention '[[rusia]]': unknown id 'rusia'; did you mean 'russia'?": "unknown id in a mention",
}


def test_every_suggestion_the_readme_shows_is_what_check_says(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## What each error means") :]
    section = section[: section.index("\n## ", 1)]
    assert sorted(re.findall(r"`([^`]*did you mean[^`]*)`", section)) == sorted(README_SUGGESTIONS)
    for number, (message, name) in enumerate(README_SUGGESTIONS.items()):
        case = next(c for c in CASES if c.name == name)
        _corpus, problems = check(write_case(case, tmp_path / str(number)), tmp_path / str(number))
        messages = [p.message for p in problems if p.severity is Severity.ERROR]
        assert any(m == message or m.startswith(message + " ") for m in messages), (message, messages)


@pytest.mark.parametrize(
    ("name", "iso", "suggested"),
    [
        ("Iran", "XQ", "; did you mean 'IR'?"),  # the country the record names, not the nearest letters
        ("Iran", "IRM", "; did you mean 'IR'?"),
        ("Russia", "XQ", "; did you mean 'RU'?"),  # a word of pycountry's "Russian Federation"
        ("Persia\naliases: [Islamic Republic of Iran]", "XQ", "; did you mean 'IR'?"),  # an alias names it
        ("Korea", "XQ", "; did you mean 'KP' or 'KR'?"),  # two countries: both
        ("Atlantis", "IRM", "; did you mean 'IR', 'IM' or 'VIR'?"),  # no country named: the nearest codes
        ("Atlantis", "XQ", ""),  # nothing near
    ],
)
def test_a_wrong_iso_code_suggests_the_code_of_the_country_named(
    name: str, iso: str, suggested: str, tmp_path: Path
) -> None:
    case = Case("iso", {"countries/iran.md": f"---\nname: {name}\niso: {iso}\n---\n"}, "", 0, ())
    _corpus, problems = check(write_case(case, tmp_path), tmp_path)
    line = 4 if "aliases" in name else 3
    expected = f"content/countries/iran.md:{line}:1: error: field 'iso': '{iso}' is not an ISO 3166-1 alpha-2 or alpha-3 code"
    assert expected + suggested in [p.format() for p in problems]


# a problem inside a line is reported at its column (counted in characters, from 1)
COLUMNS = [
    (
        {"sources/report.md": "---\ntitle: R\npublished: 2021\n---\nFirst.\n\n  Then, said [[rusia|the Russians]] and [[chna]].\n"},
        [
            "content/sources/report.md:7:14: error: mention '[[rusia|the Russians]]': unknown id 'rusia'; did you mean 'russia'?",
            "content/sources/report.md:7:41: error: mention '[[chna]]': unknown id 'chna'",
        ],
    ),
    (
        {"sources/report.md": "---\ntitle: R\npublished: 2021\n---\nÖl – “quoted” and [[rusia]].\n"},
        ["content/sources/report.md:5:19: error: mention '[[rusia]]': unknown id 'rusia'; did you mean 'russia'?"],
    ),
    (
        {"countries/iran.md": "---\nname: Iran\niso: IR\n---\nNeighbour of [[afganistan|Afghanistan]].\n"},
        ["content/countries/iran.md:5:14: error: mention '[[afganistan|Afghanistan]]': unknown id 'afganistan'"],
    ),
    (
        {"countries/iran.md": "---\nname: [Iran\niso: IR\n---\n"},
        ["content/countries/iran.md:3:4: error: invalid YAML in the front matter: did not find expected ',' or ']'"],
    ),
]


@pytest.mark.parametrize(("files", "expected"), COLUMNS)
def test_a_problem_is_reported_at_its_column(files: dict[str, str], expected: list[str], tmp_path: Path) -> None:
    _corpus, problems = check(write_case(Case("columns", dict(files), "", 0, ()), tmp_path), tmp_path)
    shown = [p.format() for p in problems]
    for line in expected:
        assert line in shown, shown
