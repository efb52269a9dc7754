"""Each authoring warning, on a small corpus, at its file and line; and how check reports them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from generator.problems import Severity
from generator.site import check
from site_tests.bad_inputs import Case, write_case
from site_tests.conftest import run_cli

WARNINGS = [
    Case(
        "record nothing mentions",
        {"countries/bhutan.md": "---\nname: Bhutan\niso: BT\n---\n"},
        "content/countries/bhutan.md",
        1,
        ("nothing mentions 'bhutan'",),
    ),
    Case(
        "event no source reports",
        {"events/quiet.md": "---\ntitle: Quiet talks\ndate: 2022\n---\n"},
        "content/events/quiet.md",
        1,
        ("no source reports the event 'quiet'",),
    ),
    Case(
        "event after the source that reports it",
        {
            "sources/report.md": "---\ntitle: R\npublished: 2021-10-01\nreports: [tehran-meeting]\n---\nIran.\n"
        },
        "content/sources/report.md",
        4,
        ("'reports[0]'", "dated after this source was published"),
    ),
    Case(
        "role dates contradict an event",
        {
            "people/sergey-lavrov.md": "---\nname: Sergey Lavrov\nroles:\n  - title: Foreign Minister\n    of: russia\n    since: 2004\n---\n",
            "events/old-talks.md": "---\ntitle: Old talks\ndate: 1999\nparticipants:\n  - {id: sergey-lavrov, role: Foreign Minister}\n---\n",
        },
        "content/events/old-talks.md",
        5,
        ("'participants[0]'", "Sergey Lavrov", "do not cover it"),
    ),
    Case(
        "membership dates contradict an event",
        {"events/sco-1999.md": "---\ntitle: SCO talks\ndate: 1999-05\nparticipants: [sco, russia]\n---\n"},
        "content/events/sco-1999.md",
        4,
        ("'participants[1]'", "membership", "does not cover"),
    ),
    Case(
        "candidate record",
        {
            "sources/report.md": "---\ntitle: R\npublished: 2021-10-28\n---\nIran met the Kabul Process envoys.\n\nLater the Kabul Process stalled.\n"
        },
        "content/sources/report.md",
        5,
        ("'Kabul Process' occurs 2 times", "candidate record"),
    ),
    Case(
        "ambiguous alias",
        {
            "organizations/iran-mfa.md": "---\nname: Iranian Foreign Ministry\naliases: [the ministry]\n---\n",
            "organizations/russia-mfa.md": "---\nname: Russian Foreign Ministry\naliases: [the ministry]\n---\n",
        },
        "content/organizations/iran-mfa.md",
        3,
        ("'the ministry' names several records",),
    ),
]


@pytest.mark.parametrize("case", WARNINGS, ids=str)
def test_warning_is_located(case: Case, tmp_path: Path) -> None:
    _corpus, problems = check(write_case(case, tmp_path), tmp_path)
    shown = "\n".join(p.format() for p in problems)
    assert not [p for p in problems if p.severity is Severity.ERROR], shown
    matching = [
        p
        for p in problems
        if p.severity is Severity.WARNING and p.path == case.path and all(w in p.message for w in case.words)
    ]
    assert matching, f"expected a warning at {case.path} containing {case.words}, got:\n{shown}"
    assert matching[0].line == case.line, shown


def test_base_corpus_has_no_warnings(tmp_path: Path) -> None:
    _corpus, problems = check(write_case(Case("base", {}, "", 0, ()), tmp_path), tmp_path)
    assert [p.format() for p in problems] == []


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(tmp_path, "check", *args)


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    write_case(WARNINGS[0], tmp_path)
    relaxed = _run(tmp_path)
    assert relaxed.returncode == 0
    assert "content/countries/bhutan.md:1:1: warning: nothing mentions 'bhutan'" in relaxed.stderr
    assert _run(tmp_path, "--strict").returncode == 1


def test_json_format(tmp_path: Path) -> None:
    write_case(
        Case("bad", {"places/tehran.md": "---\nname: Tehran\ncountry: persia\n---\n"}, "", 0, ()), tmp_path
    )
    result = _run(tmp_path, "--format", "json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert {
        "path": "content/places/tehran.md",
        "line": 3,
        "column": 1,
        "severity": "error",
    }.items() <= problems[0].items()
    assert "unknown id 'persia'" in problems[0]["message"]


def test_missing_content_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(tmp_path, "--content", "nowhere")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


NO_FALSE_ALARMS = [
    Case("an observer need not be a member",
         {"events/sco-1999.md": "---\ntitle: SCO talks\ndate: 1999-05\nparticipants: [sco, {id: russia, role: observer}]\n---\n",
          "sources/report.md": "---\ntitle: R\npublished: 2021-10-28\nreports: [tehran-meeting, sco-1999]\n---\nIran, Russia, Tehran, the SCO and Lavrov.\n"},
         "content/events/sco-1999.md", 0, ("membership",)),
    Case("a summit whose side meeting is reported",
         {"events/summit.md": "---\ntitle: Summit\ndate: 2021-10\n---\n",
          "events/tehran-meeting.md": "---\ntitle: Tehran meeting\ndate: 2021-10-27\npart_of: summit\n---\n"},
         "content/events/summit.md", 0, ("no source reports",)),
    Case("weekdays, demonyms and role titles are not candidate records",
         {"sources/report.md": "---\ntitle: R\npublished: 2021-10-28\n---\nOn Thursday the Russian Foreign Minister met Iranian officials and the SCO.\n\n"
          "On Thursday the Russian Foreign Minister, Lavrov, met Iranian officials in Tehran.\n"},
         "content/sources/report.md", 0, ("candidate",)),
]


@pytest.mark.parametrize("case", NO_FALSE_ALARMS, ids=str)
def test_no_false_alarm(case: Case, tmp_path: Path) -> None:
    _corpus, problems = check(write_case(case, tmp_path), tmp_path)
    unwanted = [p for p in problems if p.path == case.path and all(w in p.message for w in case.words)]
    assert unwanted == [], "\n".join(p.format() for p in problems)
