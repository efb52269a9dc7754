"""Open data published with the site: the corpus as JSON valid against its schema, CSV
tables, a JSON file per record, and the links to them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from generator import opendata
from generator.site import check

SEED = Path(__file__).resolve().parents[1] / "content"


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    corpus, _ = check(SEED)
    assert corpus is not None
    return opendata.data_files(corpus)


def test_the_corpus_json_is_valid_against_its_schema(files: dict[str, str]) -> None:
    document = json.loads(files["data/corpus.json"])
    schema = json.loads(files["data/corpus.schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    kinds = {r["kind"] for r in document["records"]}
    assert kinds == set(opendata.KINDS)
    assert any(
        r
        == {
            "type": "member_of",
            "from": "armenia",
            "to": "csto",
            "since": {"date": "2002-10-07", "precision": "day"},
        }
        for r in document["relations"]
    )
    assert any(m["target"] == "sergey-lavrov" and m["anchor"].startswith("p-") for m in document["mentions"])
    assert len(document["quotes"]) > 0


def test_the_schema_rejects_what_is_wrong(files: dict[str, str]) -> None:
    document = json.loads(files["data/corpus.json"])
    schema = json.loads(files["data/corpus.schema.json"])
    document["mentions"][0]["paragraph"] = "three"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


def test_each_record_has_its_json_valid_against_the_record_schema(files: dict[str, str]) -> None:
    schema = json.loads(files["data/record.schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)  # checked once, not once per record
    corpus = json.loads(files["data/corpus.json"])
    for record in corpus["records"]:
        validator.validate(json.loads(files[f"data/{record['kind']}/{record['id']}.json"]))
    lavrov = json.loads(files["data/people/sergey-lavrov.json"])
    assert lavrov["mentions"] and all(m["target"] == "sergey-lavrov" for m in lavrov["mentions"])
    assert any(q["by"] == ["sergey-lavrov"] for q in lavrov["quotes"])


def test_events_csv_has_acled_like_columns(files: dict[str, str]) -> None:
    rows = list(csv.DictReader(io.StringIO(files["data/events.csv"])))
    csto = next(r for r in rows if r["event_id"] == "csto-summit-2021")
    assert csto["event_date"] == "2021-09-16" and csto["date_precision"] == "day"
    assert csto["place"] == "dushanbe" and csto["place_country"] == "tajikistan"
    assert set(csto["countries"].split(";")) >= {"armenia", "russia", "tajikistan"}
    withdrawal = next(r for r in rows if r["event_id"] == "us-withdrawal-from-afghanistan")
    assert withdrawal["date_precision"] in ("month", "year", "day")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Kabul", "Kabul"),
        (None, ""),
        ('a, "b"\nc', 'a, "b"\nc'),
    ],
)
def test_csv_cells_cannot_run_as_formulas(value: str | None, cell: str) -> None:
    assert opendata._cell(value) == cell
    text = opendata._csv(["v"], [[value]])
    assert list(csv.reader(io.StringIO(text)))[1] == [cell]


def test_same_corpus_same_bytes(files: dict[str, str]) -> None:
    corpus, _ = check(SEED)
    assert corpus is not None
    assert opendata.data_files(corpus) == files


@pytest.mark.slow
def test_the_built_site_publishes_the_data_and_links_it(seed_site: Path) -> None:
    assert json.loads((seed_site / "data" / "corpus.json").read_text(encoding="utf-8"))["version"] == 1
    page = (seed_site / "countries" / "iran" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../data/countries/iran.json"' in page
    assert (seed_site / "data" / "countries" / "iran.json").exists()
    assert (seed_site / "data" / "events.csv").read_text(encoding="utf-8").startswith("event_id,")


@pytest.mark.slow
def test_every_page_links_the_open_data_and_the_feed_from_its_footer(seed_site: Path) -> None:
    pages = sorted(seed_site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text(encoding="utf-8")
        footer = html[html.index('<div class="md-copyright">') :]
        depth = len(page.relative_to(seed_site).parts) - 1
        root = "/".join([".."] * depth) if depth else "."
        if page.name == "404.html":
            continue  # served from any depth: Material makes its links absolute
        for target in ("data/corpus.json", "data/events.csv", "feeds/all.xml"):
            assert f'href="{root}/{target}"' in footer, (page, target)
            assert (seed_site / target).is_file()
