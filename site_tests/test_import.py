"""`python -m generator import brat|label-studio`: annotations of other tools into sources and records.

The fixtures in ``site_tests/fixtures/import/`` are imported into a copy of the small fixture
corpus: a brat folder with two texts (one named with its date, one without, which needs
``--published``) and a Label Studio export with two tasks (one with offsets counted in UTF-16
units, as older Label Studio versions wrote them after an emoji).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.importers import (
    ImportText,
    ImportUsageError,
    Placement,
    Reading,
    Span,
    date_in_name,
    escape_literal,
    import_texts,
    label_kind,
    placement_problem,
    read_brat,
    read_label_studio,
    recognised_country,
    rewrite,
    run,
)
from generator.mentions import escape_markdown, parse
from generator.site import check, generate
from site_tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KIND_OF_LABEL = {
    "people": {"people"},
    "organizations": {"organizations"},
    "countries": {"countries"},
    "gpe": {"countries", "places"},
    "places": {"places"},
    "events": {"events"},
    "topics": {"topics"},
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """``tmp_path`` holding ``content/`` (the small corpus) and ``import/`` (the fixtures)."""
    shutil.copytree(FIXTURES / "small" / "content", tmp_path / "content")
    shutil.copytree(FIXTURES / "import", tmp_path / "import")
    return tmp_path


def files_of(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*.md")}


# --- the round trip ---------------------------------------------------------------------------

# (source page, text shown by the link, kind, id) that the import must produce
EXPECTED_LINKS = [
    ("2021-09-16-dushanbe-talks", "Lavrov", "people", "sergey-lavrov"),  # an alias
    ("2021-09-16-dushanbe-talks", "Sergey Lavrov", "people", "sergey-lavrov"),
    ("2021-09-16-dushanbe-talks", "Wang Yi", "people", "wang-yi"),  # created
    ("2021-09-16-dushanbe-talks", "Dushanbe", "places", "dushanbe"),  # GPE pycountry does not know
    ("2021-09-16-dushanbe-talks", "SCO summit 2021", "events", "sco-2021"),
    ("2021-09-16-dushanbe-talks", "Tajikistan", "countries", "tajikistan"),  # created with pycountry
    ("2021-09-16-dushanbe-talks", "Iran", "countries", "iran"),
    ("2021-09-16-dushanbe-talks", "Islamic Republic of Iran", "countries", "iran"),  # an alias
    ("2021-09-16-dushanbe-talks", "North", "places", "north-waziristan"),  # discontinuous
    ("2021-09-16-dushanbe-talks", "Waziristan", "places", "north-waziristan"),
    ("2021-09-16-dushanbe-talks", "Shanghai Cooperation Organization", "organizations", "sco"),
    ("2021-09-16-dushanbe-talks", "terrorism", "topics", "terrorism"),
    ("taliban-statement", "Taliban", "organizations", "taliban"),  # at the very start
    ("taliban-statement", "Russia", "countries", "russia"),
    ("taliban-statement", "Mazār-i-Sharīf", "places", "mazar-i-sharif"),
    ("taliban-statement", "Zabihullah Mujahid", "people", "zabihullah-mujahid"),
    ("taliban-statement", "Kabul", "places", "kabul"),  # at the very end
    ("2021-10-27-iran-hosts-the-neighbours", "Iran", "countries", "iran"),
    (
        "2021-10-27-iran-hosts-the-neighbours",
        "Hossein Amir-Abdollahian",
        "people",
        "hossein-amir-abdollahian",
    ),
    ("2021-10-27-iran-hosts-the-neighbours", "Tehran", "places", "tehran"),
    (
        "2021-10-27-iran-hosts-the-neighbours",
        "Foreign Ministry of Iran",
        "organizations",
        "foreign-ministry-of-iran",
    ),
    (
        "2021-10-27-iran-hosts-the-neighbours",
        "Taliban",
        "organizations",
        "taliban",
    ),  # made by the brat import
    ("2021-10-27-iran-hosts-the-neighbours", "Lavrov", "people", "sergey-lavrov"),
    (
        "2021-10-27-iran-hosts-the-neighbours",
        "Second meeting of Afghanistan's neighbours",
        "events",
        "afghanistan-neighbours",
    ),
    ("2024-10-04-kabul-talks", "Kabul", "places", "kabul"),  # UTF-16 offsets after an emoji
    ("2024-10-04-kabul-talks", "Moscow Format 2024", "events", "moscow-format-2024"),  # dated by its name
    ("2024-10-04-kabul-talks", "wang yi", "people", "wang-yi"),  # matched case-insensitively
    ("2024-10-04-kabul-talks", "Sergey Lavrov", "people", "sergey-lavrov"),
    ("2024-10-04-kabul-talks", "islamic republic of iran", "countries", "iran"),
    ("2024-10-04-kabul-talks", "terrorism", "topics", "terrorism"),
]

# (where, what) of every span the import reports instead of placing
EXPECTED_BRAT_NOTES = [
    "import/brat/2021-09-16-dushanbe-talks.txt:3:92: T7 'Thursday' (Misc): unknown label 'Misc'",
    "import/brat/2021-09-16-dushanbe-talks.txt:4:25: T9 'SCO' (Organization): overlaps T8 'SCO summit 2021' (Event) at 4:25",
    "import/brat/taliban-statement.txt:2:26: T3 'Moscow format talks' (Event): the event 'Moscow format talks' has no date",
]
EXPECTED_LABEL_STUDIO_NOTES = [
    "import/label-studio.json#101:2:25: result 5 'Iran' (GPE): overlaps result 4 'Foreign Ministry of Iran' (Organization) at 2:5",
    "import/label-studio.json#102:4:39: 'Kabul' lies in Markdown code of the text",
    "import/label-studio.json#102:4:46: result 7 'airport' (MISC): unknown label 'MISC'",
]
NOT_PLACED = {
    ("2021-09-16-dushanbe-talks", "Thursday"),
    ("2021-09-16-dushanbe-talks", "SCO"),
    ("taliban-statement", "Moscow format talks"),
    ("2021-10-27-iran-hosts-the-neighbours", "Iran#2"),
    ("2024-10-04-kabul-talks", "airport"),
    ("2024-10-04-kabul-talks", "Kabul#2"),
}


def link(shown: str, kind: str, record_id: str) -> str:
    """The start of a link as the source page's Markdown writes it."""
    return f"[{escape_markdown(shown)}](../{kind}/{record_id}.md"


def test_round_trip(workspace: Path) -> None:
    content = workspace / "content"
    brat = run("brat", workspace / "import" / "brat", content, published="2021-10-30", base=workspace)
    assert brat.exit_code == 0, brat.report()
    studio = run("label-studio", workspace / "import" / "label-studio.json", content, base=workspace)
    assert studio.exit_code == 0, studio.report()

    # the report: counts and every span not placed, at file:line:col of the text
    assert (len(brat.created), len(brat.matched), len(brat.sources)) == (8, 6, 2)
    assert (brat.placed, brat.not_placed) == (19, 3)
    assert (len(studio.created), len(studio.matched), len(studio.sources)) == (3, 8, 2)
    assert (studio.placed, studio.not_placed) == (13, 3)
    for outcome, expected in ((brat, EXPECTED_BRAT_NOTES), (studio, EXPECTED_LABEL_STUDIO_NOTES)):
        notes = sorted(n.format() for n in outcome.notes)
        assert len(notes) == len(expected), notes
        for note, start in zip(notes, expected, strict=True):
            assert note.startswith(start), (note, start)
    report = brat.report()
    assert "created 8 records (1 country, 1 organization, 2 people, 4 places)" in report
    assert "matched 6 existing records" in report
    assert "sources written: 2" in report
    assert "1 relations (R)" in report and "1 notes (#)" in report and "1 attributes (A)" in report
    assert "ignored: 1 choices results, 1 relation results" in studio.report()

    # the corpus passes check, and the generator's core renders every span as a link
    _corpus, problems = check(content, workspace)
    assert [p.format() for p in problems if p.severity.value == "error"] == []
    result = generate(content, ROOT / "templates", workspace)
    assert result.ok, [p.format() for p in result.errors]
    for source, shown, kind, record_id in EXPECTED_LINKS:
        page = result.pages[f"sources/{source}.md"]
        assert link(shown, kind, record_id) in page, (source, shown, record_id)
    brat_page = result.pages["sources/2021-09-16-dushanbe-talks.md"]
    assert r"A literal \[\[sco\]\] stays text." in brat_page  # the text's own [[ stays text
    assert "Thursday" in brat_page and "[Thursday]" not in brat_page
    assert "and of the `Kabul` airport" in result.pages["sources/2024-10-04-kabul-talks.md"]
    assert "\n# Taliban statement\n" in result.pages["sources/taliban-statement.md"]

    # every span of the fixtures is linked, to a record of the kind its label stands for
    assert result.corpus is not None
    for source, shown, label, nth in _fixture_spans(workspace / "import"):
        if (source, shown if nth == 1 else f"{shown}#{nth}") in NOT_PLACED:
            continue
        kind = label_kind(label)
        assert kind is not None
        page = result.pages[f"sources/{source}.md"]
        targets = {
            result.corpus.records[seg.target].kind
            for _b, seg, _o in result.corpus.texts[source].mentions()
            if seg.explicit and " ".join(seg.plain.split()) == " ".join(shown.split())
        }
        assert targets and targets <= KIND_OF_LABEL[kind], (source, shown, targets)
        assert f"[{escape_markdown(shown)}](../" in page, (source, shown)


def _fixture_spans(folder: Path) -> list[tuple[str, str, str, int]]:
    """(source id, fragment text, label, occurrence) of every span in the fixtures."""
    out: list[tuple[str, str, str, int]] = []
    seen: dict[tuple[str, str], int] = {}

    def add(source: str, shown: str, label: str) -> None:
        seen[(source, shown)] = seen.get((source, shown), 0) + 1
        out.append((source, shown, label, seen[(source, shown)]))

    for ann in sorted((folder / "brat").glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                label, offsets = line.split("\t")[1].split(" ", 1)
                for part in offsets.split(";"):
                    a, b = (int(x) for x in part.split())
                    add(ann.stem, text[a:b], label)
    tasks = json.loads((folder / "label-studio.json").read_text(encoding="utf-8"))
    ids = {101: "2021-10-27-iran-hosts-the-neighbours", 102: "2024-10-04-kabul-talks"}
    for task in tasks:
        for annotation in task["annotations"]:
            if annotation.get("was_cancelled"):
                continue
            for result in annotation["result"]:
                if result["type"] == "labels":
                    add(ids[task["id"]], result["value"]["text"], result["value"]["labels"][0])
    return out


def test_the_cli(workspace: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(workspace, "import", *args)

    before = files_of(workspace / "content")
    dry = cli("brat", "import/brat", "--published", "2021-10-30", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would create 8 records" in dry.stdout and "dry run: nothing written" in dry.stdout
    assert "import/brat/taliban-statement.txt:2:26: T3 'Moscow format talks' (Event)" in dry.stdout
    assert files_of(workspace / "content") == before

    done = cli("label-studio", "import/label-studio.json", "--content", "content")
    assert done.returncode == 0, done.stderr
    assert "sources written: 2" in done.stdout
    assert (workspace / "content/sources/2024-10-04-kabul-talks.md").is_file()
    again = cli("label-studio", "import/label-studio.json")
    assert again.returncode == 1
    assert "refused, nothing written" in again.stdout and "already imported?" in again.stdout

    assert cli("brat", "import/nowhere").returncode == 2
    (workspace / "bad.json").write_text("[{", encoding="utf-8")
    bad = cli("label-studio", "bad.json")
    assert bad.returncode == 2 and "bad.json:1:3: not JSON" in bad.stderr and "Traceback" not in bad.stderr
    assert cli("brat", "import/brat", "--published", "2021-02-30").returncode == 2

    checked = run_cli(workspace, "check", "--content", "content")
    assert checked.returncode == 0, checked.stderr


def test_refuses_a_text_without_a_date_and_writes_nothing(workspace: Path) -> None:
    before = files_of(workspace / "content")
    outcome = run("brat", workspace / "import" / "brat", workspace / "content", base=workspace)
    assert outcome.exit_code == 1
    assert [n.format() for n in outcome.refused] == [
        "import/brat/taliban-statement.txt:1:1: no publication date (a data.published, or a file name "
        "starting with YYYY-MM-DD): give one with --published YYYY-MM-DD"
    ]
    assert "refused, nothing written" in outcome.report()
    assert files_of(workspace / "content") == before


def test_dry_run_writes_nothing(workspace: Path) -> None:
    before = files_of(workspace / "content")
    outcome = run(
        "label-studio",
        workspace / "import" / "label-studio.json",
        workspace / "content",
        dry_run=True,
        base=workspace,
    )
    assert outcome.exit_code == 0
    assert len(outcome.created) == 6 and len(outcome.sources) == 2
    assert files_of(workspace / "content") == before


# --- matching and creating records ------------------------------------------------------------


def one_text(text: str, spans: list[tuple[str, str]], source_id: str = "t") -> Reading:
    """A reading of one text; each span is (label, words), found left to right."""
    found = []
    pos = 0
    for label, words in spans:
        start = text.index(words, pos)
        found.append(Span(((start, start + len(words)),), label, words, f"T{len(found) + 1}"))
        pos = start + len(words)
    return Reading([ImportText("t.txt", text, found, source_id, "A title", "2021-10-30", "test")])


def placed(outcome_source: str) -> list[tuple[str, str]]:
    """(target, shown) of each mention in a written source, in order."""
    body = outcome_source.split("---\n", 2)[2]
    return [(seg.target, seg.plain) for _b, seg, _o in parse(body).mentions()]


@pytest.mark.parametrize(
    ("label", "words", "target", "created"),
    [
        ("Person", "Sergey Lavrov", "sergey-lavrov", False),  # the name
        ("Person", "Lavrov", "sergey-lavrov", False),  # an alias
        ("PER", "lavrov", "sergey-lavrov", False),  # case-insensitive, after the case-sensitive pass
        ("ORG", "SCO", "sco", False),  # an acronym
        ("GPE", "Russian Federation", "russia", False),  # the same ISO code
        ("Country", "Islamic Republic of Iran", "iran", False),
        ("GPE", "Tehran", "tehran", False),
        ("GPE", "Kabul", "kabul", True),  # pycountry finds Kabul in Afghanistan: not a country, a place
        ("Country", "Uzbekistan", "uzbekistan", True),
        ("Event", "Talks of 2021-10", "talks-of-2021-10", True),
        ("Topic", "Water rights", "water-rights", True),
        ("Organisation", "Iran", "iran", False),  # a name known under another kind is not made again
    ],
)
def test_match_or_create(workspace: Path, label: str, words: str, target: str, created: bool) -> None:
    outcome = import_texts(
        "brat",
        one_text(f"Yes: {words}.", [(label, words)]),
        workspace / "content",
        dry_run=True,
        base=workspace,
    )
    assert outcome.notes == []
    assert (target in outcome.created) is created
    assert (target in outcome.matched) is not created
    assert placed(outcome.sources["t"][1])[0][0] == target


@pytest.mark.parametrize(
    ("label", "words", "message"),
    [
        ("Country", "Atlantis", "pycountry does not recognise 'Atlantis' as a country"),
        ("Country", "Kabul", "pycountry does not recognise 'Kabul' as a country"),
        ("Event", "Moscow format talks", "has no date in its name"),
        (
            "Organization",
            "Tehran Meeting",
            "would have the id 'tehran-meeting', which content/sources/tehran-meeting.md already uses",
        ),
        ("Person", "!!!", "cannot make an id"),
        ("Weapon", "Iran", "unknown label 'Weapon'"),
    ],
)
def test_spans_not_placed(workspace: Path, label: str, words: str, message: str) -> None:
    outcome = import_texts(
        "brat",
        one_text(f"Yes: {words}.", [(label, words)]),
        workspace / "content",
        dry_run=True,
        base=workspace,
    )
    assert len(outcome.notes) == 1, outcome.notes
    assert outcome.notes[0].format().startswith(f"t.txt:1:6: T1 '{words}' ({label}): "), outcome.notes
    assert message in outcome.notes[0].message
    assert outcome.created == {} and outcome.placed == 0
    assert f"Yes: {words}." in outcome.sources["t"][1]


def test_one_record_for_repeated_names_and_ambiguity(workspace: Path) -> None:
    content = workspace / "content"
    (content / "topics" / "foreign-ministry.md").write_text(
        "---\nname: foreign ministry\n---\n", encoding="utf-8"
    )
    (content / "organizations" / "mfa.md").write_text(
        "---\nname: MFA\naliases: [Foreign Ministry]\n---\n", encoding="utf-8"
    )
    text = "Wang Yi and WANG YI. Foreign Ministry, foreign ministry, FOREIGN MINISTRY, Foreign ministry."
    spans = [
        ("Person", "Wang Yi"),
        ("Person", "WANG YI"),
        ("Topic", "Foreign Ministry"),
        ("Topic", "foreign ministry"),
        ("ORG", "FOREIGN MINISTRY"),
        ("Person", "Foreign ministry"),
    ]
    outcome = import_texts("brat", one_text(text, spans), content, dry_run=True, base=workspace)
    assert list(outcome.created) == ["wang-yi"]
    assert [t for t, _ in placed(outcome.sources["t"][1])] == [
        "wang-yi",
        "wang-yi",
        "mfa",  # case-sensitive first, even though the label says topic
        "foreign-ministry",
        "mfa",  # case-insensitively both fit: the label's kind decides
    ]
    assert len(outcome.notes) == 1
    assert "'Foreign ministry' names several records (foreign-ministry, mfa)" in outcome.notes[0].message


def test_brat_reading(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("North and South Korea\n", encoding="utf-8")
    (tmp_path / "a.ann").write_text(
        "T1\tLocation 0 5;16 21\tNorth Korea\nR1\tRel Arg1:T1 Arg2:T1\n*\tEquiv T1 T1\nbroken line\n",
        encoding="utf-8",
    )
    (tmp_path / "orphan.ann").write_text("", encoding="utf-8")
    reading = read_brat(tmp_path, tmp_path)
    [item] = reading.texts
    assert item.source_id == "a" and item.published is None
    assert item.spans == [Span(((0, 5), (16, 21)), "Location", "North Korea", "T1")]
    assert reading.ignored == {"relations (R)": 1, "equivalences (*)": 1}
    assert [n.format()[:24] for n in reading.notes] == [
        "orphan.ann:1:1: no .txt ",
        "a.ann:4:1: cannot read t",
    ]
    with pytest.raises(ImportUsageError):
        read_brat(tmp_path / "nowhere", tmp_path)


def test_label_studio_offsets(tmp_path: Path) -> None:
    text = "🇦🇫 Kabul and 𝕏 Herat"
    utf16 = len("🇦🇫 ".encode("utf-16-le")) // 2
    export = [
        {
            "id": 7,
            "data": {"text": text, "published": "2024"},
            "annotations": [
                {
                    "result": [
                        {
                            "type": "labels",
                            "value": {"start": utf16, "end": utf16 + 5, "text": "Kabul", "labels": ["GPE"]},
                        },
                        {
                            "type": "labels",
                            "value": {"start": 15, "end": 20, "text": "Herat", "labels": ["GPE"]},
                        },  # characters
                        {
                            "type": "labels",
                            "value": {"start": 14, "end": 19, "text": "Herat", "labels": ["GPE"]},
                        },  # off by one
                        {
                            "type": "labels",
                            "value": {"start": 0, "end": 3, "text": "Mosul", "labels": ["GPE"]},
                        },
                    ]
                }
            ],
        },
        {"data": {"title": "no text"}},
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    reading = read_label_studio(path, tmp_path)
    [item] = reading.texts
    assert [text[s.start : s.fragments[0][1]] for s in item.spans] == ["Kabul", "Herat", "Herat"]
    assert item.origin == "export.json#7" and item.published == "2024"
    assert [n.format()[:40] for n in reading.notes] == [
        "export.json#7:1:1: span 'Mosul' (GPE): t",
        "export.json#2:1:1: task without data.tex",
    ]


# --- spans to mentions ---------------------------------------------------------------------------

# (text, [(words, id, name)] found left to right, the rewritten text)
REWRITES = [
    (
        "Sergey Lavrov met Wang Yi.",
        [("Sergey Lavrov", "sergey-lavrov", "Sergey Lavrov")],
        "[[sergey-lavrov]] met Wang Yi.",
    ),
    (
        "Lavrov met Wang Yi.",
        [("Lavrov", "sergey-lavrov", "Sergey Lavrov")],
        "[[sergey-lavrov|Lavrov]] met Wang Yi.",
    ),
    ("He met Wang Yi", [("Wang Yi", "wang-yi", "Wang Yi")], "He met [[wang-yi]]"),  # at the end
    ("Iran", [("Iran", "iran", "Iran")], "[[iran]]"),  # the whole text
    ("IRAN said", [("IRAN", "iran", "Iran")], "[[iran|IRAN]] said"),
    (
        "North and South Waziristan",  # discontinuous: a mention per fragment
        [
            ("North", "north-waziristan", "North Waziristan"),
            ("Waziristan", "north-waziristan", "North Waziristan"),
        ],
        "[[north-waziristan|North]] and South [[north-waziristan|Waziristan]]",
    ),
    (
        "Iran-Russia",
        [("Iran", "iran", "Iran"), ("Russia", "russia", "Russia")],
        "[[iran]]-[[russia]]",
    ),  # adjacent
    (
        "Mazār-i-Sharīf 🇦🇫 Kabul",
        [("Mazār-i-Sharīf", "mazar-i-sharif", "Mazār-i-Sharīf"), ("Kabul", "kabul", "Kabul")],
        "[[mazar-i-sharif]] 🇦🇫 [[kabul]]",
    ),
    (
        "Шанхайская организация сотрудничества",
        [("Шанхайская организация сотрудничества", "sco", "Shanghai Cooperation Organization")],
        "[[sco|Шанхайская организация сотрудничества]]",
    ),
    (
        "王毅在北京",
        [("王毅", "wang-yi", "Wang Yi"), ("北京", "beijing", "北京")],
        "[[wang-yi|王毅]]在[[beijing]]",
    ),
    (
        "Sergey\nLavrov said",
        [("Sergey\nLavrov", "sergey-lavrov", "Sergey Lavrov")],
        "[[sergey-lavrov]] said",
    ),  # a line break folds
    (
        "Iran\r\nand Russia\r\n",
        [("Iran", "iran", "Iran"), ("Russia", "russia", "Russia")],
        "[[iran]]\nand [[russia]]\n",
    ),
    ("a [[b]] and Iran", [("Iran", "iran", "Iran")], "a \\[[b]] and [[iran]]"),  # the text's own [[ escaped
    ("a \\[[b]] and Iran", [("Iran", "iran", "Iran")], "a \\[[b]] and [[iran]]"),  # already escaped
    ("a \\\\[[b]] Iran", [("Iran", "iran", "Iran")], "a \\\\\\[[b]] [[iran]]"),  # an escaped backslash first
    ("[[[ Iran", [("Iran", "iran", "Iran")], "\\[[[ [[iran]]"),
    ("x\\Iran", [("Iran", "iran", "Iran")], "x\\\\[[iran]]"),  # a backslash right before
    ("[Iran]", [("Iran", "iran", "Iran")], "[[[iran]]]"),
    ("A|B Iran", [("A|B", "ab", "AB")], "[[ab|A|B]] Iran"),
    ("no spans [[here]]", [], "no spans \\[[here]]"),
]


@pytest.mark.parametrize(("text", "spans", "expected"), REWRITES)
def test_rewrite(text: str, spans: list[tuple[str, str, str]], expected: str) -> None:
    placements = []
    pos = 0
    for words, record_id, name in spans:
        start = text.index(words, pos)
        assert placement_problem(text, start, start + len(words)) is None
        placements.append(Placement(start, start + len(words), record_id, name))
        pos = start + len(words)
    out = rewrite(text, reversed(placements))  # any order
    assert out == expected
    # the generator's own parser sees exactly these mentions, with the span's text
    found = [(seg.target, seg.plain) for _b, seg, _o in parse(out).mentions()]
    assert found == [
        (record_id, "" if " ".join(words.split()) == name else " ".join(words.split()))
        for words, record_id, name in spans
    ]


def test_rewrite_refuses_overlaps() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        rewrite("Sergey Lavrov", [Placement(0, 13, "a", "A"), Placement(7, 13, "b", "B")])
    with pytest.raises(ValueError, match="outside"):
        rewrite("Iran", [Placement(2, 9, "a", "A")])


@pytest.mark.parametrize(
    ("text", "start", "end", "problem"),
    [
        ("Lavrov [Russia]", 0, 15, "square bracket"),
        ("Sergey\n\nLavrov", 0, 14, "paragraph break"),
        ("Sergey\r\n\r\nLavrov", 0, 16, "paragraph break"),
        ("a   b", 1, 4, "white space"),
        ("Sergey\nLavrov", 0, 13, None),
        ("A|B", 0, 3, None),
    ],
)
def test_placement_problem(text: str, start: int, end: int, problem: str | None) -> None:
    found = placement_problem(text, start, end)
    assert found is None if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    ("chunk", "escaped"),
    [
        ("[[", "\\[["),
        ("\\[[", "\\[["),
        ("\\\\[[", "\\\\\\[["),
        ("[[[[", "\\[[\\[["),
        ("[ [", "[ ["),
        ("]]", "]]"),
    ],
)
def test_escape_literal(chunk: str, escaped: str) -> None:
    assert escape_literal(chunk) == escaped


# --- small decisions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Person", "people"),
        ("PER", "people"),
        ("person", "people"),
        ("ORG", "organizations"),
        ("Organisation", "organizations"),
        ("GPE", "gpe"),
        ("Country", "countries"),
        ("LOC", "places"),
        ("Place", "places"),
        ("EVT", "events"),
        ("Topic", "topics"),
        ("MISC", None),
        ("Weapon", None),
    ],
)
def test_label_kind(label: str, kind: str | None) -> None:
    assert label_kind(label) == kind


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        ("Tajikistan", "TJ"),
        ("Russia", "RU"),
        ("USA", "US"),
        ("Iran", "IR"),
        ("Kabul", None),
        ("Dushanbe", None),
        ("Atlantis", None),
        ("Niger", None),
    ],  # pycountry's fuzzy search answers Nigeria for Niger: refused
)
def test_recognised_country(name: str, iso: str | None) -> None:
    facts = recognised_country(name)
    assert (facts["iso"] if facts else None) == iso


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("Moscow Format 2024", "2024"),
        ("Talks of 2021-09", "2021-09"),
        ("Summit 2021-09-16", "2021-09-16"),
        ("Summit 2021-02-30", "2021"),
        ("Moscow format talks", None),
        ("G20 summit", None),
        ("Route 1234", None),
    ],
)
def test_date_in_name(name: str, date: str | None) -> None:
    assert date_in_name(name) == date


# --- what cannot be imported ------------------------------------------------------------------

GOOD_TASK = {"data": {"text": "Iran met.", "published": "2021-01-01"}}


def _labels(value: object) -> dict[str, object]:
    """A Label Studio task whose one result has ``value``."""
    return {**GOOD_TASK, "annotations": [{"result": [{"type": "labels", "value": value}]}]}


@dataclass(frozen=True)
class Refusal:
    name: str
    tool: str
    files: dict[str, str | bytes]  # under import/, what the tool reads
    path: str  # what is given to the command, relative to the workspace
    exit_code: int  # 2: cannot be read (ImportUsageError), 1: refused
    message: str  # the located message, as printed
    written: tuple[str, ...] = ()  # the sources written all the same (none when refused)

    def __str__(self) -> str:
        return self.name


def _json(data: object) -> str:
    return json.dumps(data)


REFUSALS = [
    # brat
    Refusal("text not UTF-8", "brat", {"2021-01-01-a.txt": b"Ir\xe2n", "2021-01-01-a.ann": ""}, "import/b", 2,
            "import/b: no brat texts here (pairs of NAME.txt and NAME.ann)\nimport/b/2021-01-01-a.txt:1:1: not UTF-8 (invalid continuation byte): skipped"),
    Refusal("text not UTF-8 beside a good one", "brat",
            {"2021-01-01-a.txt": b"Ir\xe2n", "2021-01-01-a.ann": "", "2021-01-02-b.txt": "Iran met.\n", "2021-01-02-b.ann": "T1\tCountry 0 4\tIran\n"},
            "import/b", 0, "import/b/2021-01-01-a.txt:1:1: not UTF-8 (invalid continuation byte): skipped", ("2021-01-02-b",)),
    Refusal("empty text", "brat", {"2021-01-01-a.txt": "", "2021-01-01-a.ann": ""}, "import/b", 1,
            "import/b/2021-01-01-a.txt:1:1: the text is empty"),
    Refusal("a text of white space", "brat", {"2021-01-01-a.txt": " \n\n\t\n", "2021-01-01-a.ann": ""}, "import/b", 1,
            "import/b/2021-01-01-a.txt:1:1: the text is empty"),
    Refusal("no pairs", "brat", {"2021-01-01-a.txt": "Iran met.\n", "other.ann": ""}, "import/b", 2,
            "import/b: no brat texts here (pairs of NAME.txt and NAME.ann)\nimport/b/2021-01-01-a.txt:1:1: no 2021-01-01-a.ann beside this text: skipped\nimport/b/other.ann:1:1: no .txt beside this .ann: skipped"),
    Refusal("no folder", "brat", {}, "import/nowhere", 2, "import/nowhere: no such folder (give the folder of the .txt and .ann files)"),
    Refusal("a bad date in the file name", "brat", {"2021-02-30-a.txt": "Iran met.\n", "2021-02-30-a.ann": ""}, "import/b", 1,
            "import/b/2021-02-30-a.txt:1:1: publication date from the file name: '2021-02-30' is not a date: February 2021 has 28 days"),
    # Label Studio
    Refusal("not JSON", "label-studio", {"e.json": "[{"}, "import/e.json", 2, "import/e.json:1:3: not JSON: Expecting property name enclosed in double quotes"),
    Refusal("JSON not UTF-8", "label-studio", {"e.json": b'[{"data": "\xe2"}]'}, "import/e.json", 2, "import/e.json: not UTF-8 (invalid continuation byte)"),
    Refusal("an export that is not a list", "label-studio", {"e.json": _json("hello")}, "import/e.json", 2,
            "import/e.json: expected a Label Studio export (a list of tasks)"),
    Refusal("a task without text", "label-studio", {"e.json": _json([{"data": {"title": "T"}}])}, "import/e.json", 2,
            "import/e.json: no task with a text (data.text)"),
    Refusal("a task without text beside a good one", "label-studio", {"e.json": _json([{"id": 7, "data": {}}, GOOD_TASK])}, "import/e.json", 0,
            "import/e.json#7:1:1: task without data.text: skipped", ("2021-01-01-iran-met",)),
    Refusal("a task that is not a mapping", "label-studio", {"e.json": _json(["text", GOOD_TASK])}, "import/e.json", 0,
            "import/e.json#1:1:1: task without data.text: skipped", ("2021-01-01-iran-met",)),
    Refusal("a result without offsets", "label-studio", {"e.json": _json([_labels({"labels": ["Country"], "text": "Iran"})])}, "import/e.json", 0,
            "import/e.json#1:1:1: result 1: no start, end or labels: skipped", ("2021-01-01-iran-met",)),
    Refusal("a result without labels", "label-studio", {"e.json": _json([_labels({"start": 0, "end": 4, "text": "Iran"})])}, "import/e.json", 0,
            "import/e.json#1:1:1: result 1: no start, end or labels: skipped", ("2021-01-01-iran-met",)),
    Refusal("labels that are not a list", "label-studio", {"e.json": _json([_labels({"start": 0, "end": 4, "labels": "Country"})])}, "import/e.json", 0,
            "import/e.json#1:1:1: result 1: no start, end or labels: skipped", ("2021-01-01-iran-met",)),
    Refusal("a value that is not a mapping", "label-studio", {"e.json": _json([_labels("Iran")])}, "import/e.json", 0,
            "import/e.json#1:1:1: result 1: no start, end or labels: skipped", ("2021-01-01-iran-met",)),
    Refusal("a bad date", "label-studio", {"e.json": _json([{"data": {"text": "Iran met.", "published": "2021-02-30"}}])}, "import/e.json", 1,
            "import/e.json#1:1:1: publication date from the task's data.published: '2021-02-30' is not a date: February 2021 has 28 days"),
    Refusal("no date at all", "label-studio", {"e.json": _json([{"data": {"text": "Iran met."}}])}, "import/e.json", 1,
            "import/e.json#1:1:1: no publication date (a data.published, or a file name starting with YYYY-MM-DD): give one with --published YYYY-MM-DD"),
    Refusal("a url that is not http", "label-studio", {"e.json": _json([{"data": {**GOOD_TASK["data"], "url": "javascript:alert(1)"}}])}, "import/e.json", 0,
            "import/e.json#1:1:1: url 'javascript:alert(1)' is not an http(s) address: left out", ("2021-01-01-iran-met",)),
    Refusal("a title with nothing to make an id of", "label-studio", {"e.json": _json([{"data": {"text": "!!! ???", "published": "2021-01-01"}}])}, "import/e.json", 0,
            "", ("2021-01-01",)),  # the id is the date alone
    Refusal("an id already taken", "label-studio", {"e.json": _json([{"data": {"text": "Tehran meeting", "published": "2021-01-01", "title": "x"}}, {"data": {"text": "Again", "title": "x", "published": "2021-01-01"}}])},
            "import/e.json", 1, "import/e.json#2:1:1: the source id '2021-01-01-x' is already used by content/sources/2021-01-01-x.md: already imported?"),
    Refusal("no file", "label-studio", {}, "import/nowhere.json", 2, "import/nowhere.json: no such file (give a Label Studio JSON export)"),
]


@pytest.mark.parametrize("case", REFUSALS, ids=str)
def test_what_cannot_be_imported_is_located_and_writes_nothing(case: Refusal, workspace: Path) -> None:
    for rel, data in case.files.items():
        target = workspace / case.path / rel if case.tool == "brat" else workspace / "import" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    content = workspace / "content"
    before = files_of(content)
    try:
        outcome = run(case.tool, workspace / case.path, content, base=workspace)
    except ImportUsageError as exc:
        assert case.exit_code == 2, exc
        assert str(exc).replace(str(workspace) + "/", "") == case.message
        assert files_of(content) == before
        return
    report = outcome.report()
    assert outcome.exit_code == case.exit_code, report
    assert case.message in report.splitlines() or not case.message, report
    written = {path: text for path, text in files_of(content).items() if path not in before}
    assert sorted(written) == [f"sources/{source}.md" for source in case.written], report
    assert {path: files_of(content)[path] for path in before} == before  # nothing else touched
    if case.exit_code == 1:
        assert "refused, nothing written:" in report
    for text in written.values():
        assert "javascript:" not in text


def test_an_unknown_tool_is_refused(workspace: Path) -> None:
    with pytest.raises(ImportUsageError, match="unknown tool 'doccano': brat or label-studio"):
        run("doccano", workspace / "import", workspace / "content", base=workspace)


def test_the_cli_prints_what_cannot_be_read_and_exits_2(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    (workspace / "import" / "b").mkdir()
    (workspace / "import" / "b" / "2021-01-01-a.txt").write_bytes(b"Ir\xe2n")
    (workspace / "import" / "b" / "2021-01-01-a.ann").write_text("", encoding="utf-8")
    before = files_of(workspace / "content")
    assert main(["import", "brat", str(workspace / "import" / "b"), "--content", str(workspace / "content")]) == 2
    err = capsys.readouterr().err
    assert "no brat texts here" in err and "2021-01-01-a.txt:1:1: not UTF-8" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exited:  # argparse: the tool is one of the two
        main(["import", "doccano", "x"])
    assert exited.value.code == 2
    assert "invalid choice: 'doccano'" in capsys.readouterr().err
    assert files_of(workspace / "content") == before


def test_a_corpus_broken_by_the_import_exits_1_and_lists_its_errors(workspace: Path) -> None:
    """The written text is more than a record may hold: the import writes it, checks the
    corpus, lists the error and exits 1."""
    words = "Iran met again. " * (2 * 1024 * 1024 // 16 + 10)
    (workspace / "import" / "big.json").write_text(
        _json([{"data": {"text": words, "published": "2021-01-01", "title": "Big"}}]), encoding="utf-8"
    )
    outcome = run("label-studio", workspace / "import" / "big.json", workspace / "content", base=workspace)
    assert outcome.exit_code == 1
    report = outcome.report()
    assert "the corpus now has errors:" in report
    assert "content/sources/2021-01-01-big.md:1:1: error: file is 2.0 MB; a record may be at most 2 MB" in report
    assert (workspace / "content" / "sources" / "2021-01-01-big.md").is_file()
