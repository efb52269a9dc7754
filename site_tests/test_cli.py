"""The command line's promises: `build --out` writes nothing when the corpus fails (errors, or
warnings with --strict) and never outside its folder; `stats` on a broken corpus; `new --print`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from generator import cli
from site_tests.bad_inputs import CASES, Case, write_case
from site_tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
BROKEN = next(c for c in CASES if c.name == "unknown participant")
QUIET = Case("an unmentioned country", {"countries/bhutan.md": "---\nname: Bhutan\niso: BT\n---\n"}, "", 0, ())


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(content: Path, out: Path, *extra: str) -> int:
    return cli.main(
        ["build", "--content", str(content), "--templates", str(ROOT / "templates"), "--out", str(out), *extra]
    )


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A docs project written by `build --out` from a valid corpus, and its digest."""
    out = tmp_path / "project"
    assert build(write_case(Case("base", {}, "", 0, ()), tmp_path / "good"), out) == 0
    assert (out / "docs" / "index.md").is_file()
    return out, digest(out)


@pytest.mark.parametrize(
    ("case", "extra", "located"),
    [
        (BROKEN, (), "content/events/tehran-meeting.md:4:1: error: field 'participants[1].id': unknown id 'rusia'"),
        (BROKEN, ("--strict",), "unknown id 'rusia'"),
        (QUIET, ("--strict",), "content/countries/bhutan.md:1:1: warning: nothing mentions 'bhutan'"),
    ],
    ids=["errors", "errors, strict", "warnings, strict"],
)
def test_a_failing_build_exits_1_and_leaves_the_folder_as_it_was(
    case: Case,
    extra: tuple[str, ...],
    located: str,
    built: tuple[Path, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, before = built
    capsys.readouterr()
    content = write_case(case, tmp_path / "case")
    monkeypatch.chdir(tmp_path / "case")  # problems are shown relative to it
    assert build(content, out, *extra) == 1
    err = capsys.readouterr().err
    assert located in err, err
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "good", "project"]  # no staging left behind


def test_warnings_pass_a_build_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = write_case(QUIET, tmp_path)
    assert build(content, tmp_path / "project") == 0
    assert "warning: nothing mentions 'bhutan'" in capsys.readouterr().err
    assert (tmp_path / "project" / "docs" / "countries" / "bhutan.md").is_file()


def test_build_never_writes_outside_its_folder(built: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    out, before = built
    for escaping in ("../escaped.md", "docs/../../escaped.md", "/tmp/escaped-by-a-test.md"):
        with pytest.raises(cli.OutputError, match="refusing to write outside the output folder"):
            cli.write_pages(out, {"docs/index.md": "# new\n", escaping: "# out\n"})
        assert digest(out) == before  # the old project stays whole
    assert not (tmp_path / "escaped.md").exists() and not Path("/tmp/escaped-by-a-test.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good", "project"]


def test_build_refuses_a_folder_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    assert build(write_case(Case("base", {}, "", 0, ()), tmp_path), foreign) == 2
    assert "was not written by this command" in capsys.readouterr().err
    assert digest(foreign) == {"keep.txt": hashlib.sha256(b"mine").hexdigest()}


def test_stats_on_a_broken_corpus_prints_the_problems_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = write_case(BROKEN, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["stats", "--content", str(content)]) == 1
    out, err = capsys.readouterr()
    assert "Records per kind" not in out  # no counts of a corpus that does not load
    assert "tehran-meeting.md:4:1: error: field 'participants[1].id': unknown id 'rusia'" in err
    assert "1 error" in err


def test_new_print_prints_the_record_and_writes_nothing(tmp_path: Path) -> None:
    content = write_case(Case("base", {}, "", 0, ()), tmp_path)
    before = digest(content)
    result = run_cli(tmp_path, "new", "country", "Uzbekistan", "--print", "--content", str(content))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("---\nname: Uzbekistan\n") and "iso: UZ\n" in result.stdout
    assert "wrote" not in result.stdout and result.stderr == ""
    assert digest(content) == before
    # what it printed is what `new` writes
    assert cli.main(["new", "country", "Uzbekistan", "--content", str(content)]) == 0
    assert (content / "countries" / "uzbekistan.md").read_text(encoding="utf-8") == result.stdout
