"""`python -m generator new` and `stats`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.site import check
from site_tests.bad_inputs import Case, write_case
from site_tests.conftest import run_cli


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(tmp_path, *args)


def test_the_entry_point_runs_new(tmp_path: Path) -> None:
    """Once through a second interpreter: `python -m generator` is the command line tested in-process."""
    write_case(Case("base", {}, "", 0, ()), tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "new", "topic", "Water rights"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote content/topics/water-rights.md\n"
    assert run(tmp_path, "new", "topic", "Water rights").returncode == 2  # and refuses to write it again


@pytest.mark.parametrize(
    ("args", "path", "contains"),
    [
        (
            ("new", "country", "Uzbekistan"),
            "content/countries/uzbekistan.md",
            ("name: Uzbekistan", "iso: UZ", "Republic of Uzbekistan"),
        ),
        (("new", "person", "Abbas Araghchi"), "content/people/abbas-araghchi.md", ("name: Abbas Araghchi",)),
        (
            ("new", "organization", "Collective Security Treaty Organization"),
            "content/organizations/collective-security-treaty-organization.md",
            ("name: Collective",),
        ),
        (
            ("new", "event", "Moscow format talks", "--date", "2024-10"),
            "content/events/moscow-format-talks.md",
            ("title: Moscow format talks", "date: 2024-10"),
        ),
        (
            ("new", "topic", "Water rights", "--id", "water"),
            "content/topics/water.md",
            ("name: Water rights",),
        ),
        (("new", "place", "Mazār-i-Sharīf"), "content/places/mazar-i-sharif.md", ("name: Mazār-i-Sharīf",)),
    ],
)
def test_new_writes_a_valid_record(
    tmp_path: Path, args: tuple[str, ...], path: str, contains: tuple[str, ...]
) -> None:
    write_case(Case("base", {}, "", 0, ()), tmp_path)
    result = run(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / path).read_text(encoding="utf-8")
    for words in contains:
        assert words in text
    _corpus, problems = check(tmp_path / "content", tmp_path)
    assert [p.format() for p in problems if p.severity.value == "error"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "country", "Iran"), "id 'iran' is already used"),
        (("new", "place", "Iran"), "id 'iran' is already used"),
        (("new", "country", "Atlantis"), "pycountry knows no country"),
        (("new", "event", "Talks"), "needs --date"),
        (("new", "event", "Talks", "--date", "2021-02-30"), "February 2021 has 28 days"),
        (("new", "galaxy", "Andromeda"), "unknown kind 'galaxy'"),
        (("new", "topic", "!!!"), "cannot make a valid id"),
    ],
)
def test_new_refuses(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    write_case(Case("base", {}, "", 0, ()), tmp_path)
    before = sorted(p.name for p in (tmp_path / "content").rglob("*.md"))
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (tmp_path / "content").rglob("*.md")) == before


def test_stats(tmp_path: Path) -> None:
    write_case(
        Case("quiet", {"countries/bhutan.md": "---\nname: Bhutan\niso: BT\n---\n"}, "", 0, ()), tmp_path
    )
    result = run(tmp_path, "stats")
    assert result.returncode == 0, result.stderr
    assert "Countries           3" in result.stdout
    assert "Without mentions in any text" in result.stdout and "bhutan (country)" in result.stdout
    most = result.stdout.split("Most mentioned")[1].split("Without")[0]
    assert "iran (country)" in most
