"""`python -m generator suggest`: unlinked mentions and candidate records, listed and applied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.linking import build_matcher
from generator.site import check
from generator.suggest import ApplyError, Suggestion, select, suggestions

CORPUS = {
    "countries/united-states.md": "---\nname: United States\niso: US\n---\n",
    "organizations/taliban.md": "---\nname: Taliban\n---\n",
    "organizations/al-qaeda.md": "---\nname: al-Qaeda\n---\n",
    "organizations/us-forces.md": "---\nname: US Forces Command\naliases: [USFOR]\n---\n",
    "places/kabul.md": "---\nname: Kabul\n---\nKabul is where the Taliban took power.\n",
    "sources/auto.md": "---\ntitle: Auto\npublished: 2021\n---\n"
    "The Taliban entered Kabul. The taliban said so, and Al Qaeda too.\n\n"
    "## Taliban in a heading\n\nNot in `Taliban code` nor in [[kabul|Kabul city]]. The Doha Process went on.\n\n"
    "Let us talk about the usfor.\n",
    "sources/quiet.md": "---\ntitle: Quiet\npublished: 2021\nautolink: false\n---\n"
    "The Taliban and the Doha Process. Afterwards the Doha Process stalled.\n",
}


@pytest.fixture()
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for rel, text in CORPUS.items():
        path = tmp_path / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _found(root: Path) -> list[Suggestion]:
    corpus, problems = check(root / "content", root)
    assert corpus is not None and not [p for p in problems if p.severity.value == "error"]
    return suggestions(dict(corpus.records), build_matcher(corpus.records))


def test_unlinked_mentions(corpus: Path) -> None:
    got = {(s.path, s.line, s.column, s.text, s.replacement) for s in _found(corpus) if s.kind == "unlinked"}
    assert got == {
        (
            "content/places/kabul.md",
            4,
            20,
            "Taliban",
            "[[taliban|Taliban]]",
        ),  # an entity's prose is not auto-linked
        ("content/sources/auto.md", 5, 32, "taliban", "[[taliban|taliban]]"),  # another case
        ("content/sources/auto.md", 5, 53, "Al Qaeda", "[[al-qaeda|Al Qaeda]]"),  # another form
        ("content/sources/quiet.md", 6, 5, "Taliban", "[[taliban|Taliban]]"),  # autolink: false
    }
    # not suggested: 'Kabul' in its own record's prose, the auto-linked 'Taliban' and 'Kabul',
    # the heading, code, an explicit
    # mention's text, and 'us' / 'usfor' (acronyms keep their case)


def test_candidate_records(corpus: Path) -> None:
    got = [s for s in _found(corpus) if s.kind == "candidate"]
    assert [(s.text, s.target, s.path, s.line, s.column) for s in got] == [
        ("Doha Process", "doha-process", "content/sources/auto.md", 9, 56)  # 'The' is a stop word
    ]
    assert "occurs 3 times" in got[0].message
    # 'Afterwards' and 'Let' are capitalised only at a sentence's start: single words the
    # stop-words list or the texts' own lower-case use rule out


@pytest.mark.parametrize(
    ("picks", "numbers"),
    [
        (["1"], [1]),
        (["1,3"], [1, 3]),
        (["2-4"], [2, 3, 4]),
        (["unlinked"], [1, 2, 3, 4]),
        (["candidate"], [5]),
        (["5", "1"], [1, 5]),
    ],
)
def test_select(corpus: Path, picks: list[str], numbers: list[int]) -> None:
    assert [n for n, _s in select(_found(corpus), picks)] == numbers


@pytest.mark.parametrize("pick", ["0", "6", "x", "1-x"])
def test_select_refuses(corpus: Path, pick: str) -> None:
    with pytest.raises(ApplyError):
        select(_found(corpus), [pick])


def test_the_command_lists_applies_and_gives_json(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [item["number"] for item in listed] == [1, 2, 3, 4, 5]
    assert (
        listed[1]["path"] == "content/sources/auto.md" and listed[1]["replacement"] == "[[taliban|taliban]]"
    )

    assert main(["suggest", "--apply", "unlinked"]) == 0
    out = capsys.readouterr().out
    assert "content/sources/auto.md: 2 edits" in out
    auto = (corpus / "content/sources/auto.md").read_text(encoding="utf-8")
    assert "The [[taliban|taliban]] said so, and [[al-qaeda|Al Qaeda]] too." in auto
    assert "[[taliban|Taliban]] and the Doha Process" in (corpus / "content/sources/quiet.md").read_text(
        encoding="utf-8"
    )
    _corpus, problems = check(corpus / "content", corpus)
    assert not [p for p in problems if p.severity.value == "error"]

    assert main(["suggest"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "0 unlinked mentions, 1 candidate records"
    assert "  1. content/sources/auto.md:9:56: candidate: 'Doha Process'" in out

    assert main(["suggest", "--apply", "1"]) == 2  # a new record needs its kind
    assert "--kind" in capsys.readouterr().err
    assert main(["suggest", "--apply", "1", "--kind", "event"]) == 2  # an event needs a date
    assert main(["suggest", "--apply", "1", "--kind", "topic"]) == 0
    assert (
        (corpus / "content/topics/doha-process.md")
        .read_text(encoding="utf-8")
        .startswith("---\nname: Doha Process\n---")
    )
    capsys.readouterr()
    assert main(["suggest"]) == 0
    # the new record is auto-linked in sources; the text without auto-linking now has two
    assert capsys.readouterr().out.splitlines()[-1] == "2 unlinked mentions, 0 candidate records"


def test_paths_limit_the_texts(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--format", "json", "content/sources/quiet.md"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {item["path"] for item in listed} == {"content/sources/quiet.md"}
    assert main(["suggest", "content/nowhere"]) == 2


def test_apply_keeps_line_ends(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quiet = corpus / "content/sources/quiet.md"
    quiet.write_bytes(CORPUS["sources/quiet.md"].replace("\n", "\r\n").encode())
    assert main(["suggest", "--apply", "unlinked", "content/sources/quiet.md"]) == 0
    assert (
        quiet.read_bytes()
        == CORPUS["sources/quiet.md"]
        .replace("The Taliban", "The [[taliban|Taliban]]")
        .replace("\n", "\r\n")
        .encode()
    )


@pytest.mark.parametrize(
    ("names", "text", "found"),
    [
        (["al-Qaeda"], "the Al Qaeda group", ["Al Qaeda"]),
        (
            ["al-Qaeda"],
            "AL-QAEDA and al‑qaeda",
            ["AL-QAEDA", "al‑qaeda"],
        ),  # the second: a non-breaking hyphen
        (["Sergey Lavrov"], "sergey   lavrov\nsergey\nlavrov", ["sergey   lavrov", "sergey\nlavrov"]),
        (["O'Brien"], "o'brien, o brien", ["o'brien", "o brien"]),
        (["US"], "let us go; US", []),  # an acronym keeps its case (the exact 'US' is the matcher's)
        (["Taliban"], "Talibanization of taliban's", ["taliban"]),
        (
            ["Islamic State", "Islamic State Khorasan Province"],
            "islamic state khorasan province",
            ["islamic state khorasan province"],
        ),
    ],
)
def test_loose_matching(names: list[str], text: str, found: list[str]) -> None:
    from generator.mentions import Matcher
    from generator.suggest import LooseMatcher

    loose = LooseMatcher.of(Matcher.build({f"r{i}": [n] for i, n in enumerate(names)}))
    assert [text[start:end] for start, end, _id in loose.find(text)] == found
