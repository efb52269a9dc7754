"""Every violation of the format is reported at its file and line, naming the field."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.problems import Severity
from generator.site import check
from site_tests.bad_inputs import BASE, CASES, Case, write_case


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
