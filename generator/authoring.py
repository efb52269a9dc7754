"""Help while annotating: new records from a name, and statistics of the corpus."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import pycountry

from generator import kinds
from generator.corpus import KIND_ORDER, Corpus
from generator.dates import PartialDate
from generator.reading import ID_RE, KINDS, slugify
from generator.records import KIND_LABELS

KIND_ALIASES = {
    "source": "sources",
    "event": "events",
    "country": "countries",
    "organization": "organizations",
    "organisation": "organizations",
    "org": "organizations",
    "person": "people",
    "place": "places",
    "topic": "topics",
}


class AuthoringError(Exception):
    """A request that cannot be carried out, with the reason for the author."""


def kind_of(word: str) -> str:
    kind = KIND_ALIASES.get(word.lower(), word.lower())
    if kind not in KINDS:
        raise AuthoringError(f"unknown kind '{word}': use one of {', '.join(KINDS)}")
    return kind


def _existing_ids(content: Path) -> dict[str, Path]:
    return {p.stem: p for p in content.rglob("*.md")}


def country_facts(name: str) -> dict[str, Any]:
    """ISO code and official name of a country, from pycountry."""
    try:
        matches = pycountry.countries.search_fuzzy(name)
    except LookupError:
        raise AuthoringError(
            f"pycountry knows no country called '{name}'; write the record by hand"
        ) from None
    country = matches[0]
    facts: dict[str, Any] = {"iso": country.alpha_2}
    official = getattr(country, "official_name", None)
    aliases = [
        n
        for n in dict.fromkeys([official, getattr(country, "common_name", None), country.name])
        if n and n != name
    ]
    if aliases:
        facts["aliases"] = aliases
    return facts


@dataclass(frozen=True)
class NewRecord:
    path: Path
    text: str


def new_record(
    content: Path, kind_word: str, name: str, date: str | None = None, record_id: str | None = None
) -> NewRecord:
    """The file a new record would be written to, and its text; refuses id clashes."""
    kind = kind_of(kind_word)
    new_id = record_id or slugify(name)
    if not new_id or not ID_RE.match(new_id):
        raise AuthoringError(f"cannot make a valid id from '{name}'; give one with --id")
    existing = _existing_ids(content)
    if new_id in existing:
        raise AuthoringError(f"id '{new_id}' is already used by {existing[new_id]}; give another with --id")
    meta: dict[str, Any] = {}
    if kind in kinds.DATED:
        if date is None:
            raise AuthoringError(
                f"a new {KIND_LABELS[kind][0].lower()} needs --date (YYYY, YYYY-MM or YYYY-MM-DD)"
            )
        try:
            when = PartialDate.parse(date).iso()
        except ValueError as exc:
            raise AuthoringError(str(exc)) from None
        meta["title"] = name
        meta["published" if kind == "sources" else "date"] = when
    else:
        meta["name"] = name
        if kind == "countries":
            meta.update(country_facts(name))
    body = "" if kind != "sources" else "Paste the text here.\n"
    text = frontmatter.dumps(frontmatter.Post(body, **meta), sort_keys=False, allow_unicode=True) + "\n"
    return NewRecord(content / kind / f"{new_id}.md", text)


def stats(corpus: Corpus, top: int = 10) -> str:
    lines = ["Records per kind:"]
    for kind in KIND_ORDER:
        n = sum(1 for r in corpus.records.values() if r.kind == kind)
        lines.append(f"  {KIND_LABELS[kind][1]:<14} {n:>6}")
    lines.append(f"  {'Quotes':<14} {len(corpus.quotes):>6}")
    mentioned = sorted(
        ((len(b), rid) for rid, b in corpus.backlinks.items() if rid in corpus.records),
        key=lambda x: (-x[0], x[1]),
    )
    lines.append("")
    lines.append(f"Most mentioned (top {top}):")
    for count, rid in mentioned[:top]:
        lines.append(f"  {count:>6}  {rid} ({corpus.records[rid].label.lower()})")
    silent = [r for r in corpus.records.values() if r.kind != "sources" and r.id not in corpus.backlinks]
    lines.append("")
    lines.append(f"Without mentions in any text ({len(silent)}):")
    for record in silent:
        lines.append(f"  {record.id} ({record.label.lower()})")
    return "\n".join(lines) + "\n"
