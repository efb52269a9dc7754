"""Synthetic corpora in the v1 format, for benchmarks: deterministic, valid, realistic in shape.

A few hundred entity records, events (a fifth of the number of sources, at most 2,000) and
N sources of about 600 words. Texts name records through their names and aliases (so
auto-linking finds 30–40 mentions a text), with a few explicit ``[[id|text]]`` mentions,
and carry 1–3 quotes copied from their own text. Records are chosen with a Zipf-like
weighting, so at 10,000 sources the most named record has thousands of mentions.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

from generator.reading import slugify

_FIRST = (
    "Amir Anna Boris Chen Dina Elif Farid Galina Hamid Irina Jamal Karim Lena Maria Nadia Omar Pavel "
    "Qasim Rustam Sara Timur Umar Vera Wei Yusuf Zara Aziz Bahrom Darya Emil Fatima Gulnara Ilya Javad "
    "Kamila Leyla Marat Nargis Oleg Parisa Rashid Svetlana Tahir Ulugbek Viktor Xia Yelena Zafar"
).split()
_LAST = (
    "Abdullaev Bakirov Chernov Dostum Ergashev Fazli Ghani Haidari Ismoilov Jalili Karimov Lavrin Mirzaev "
    "Nazarov Orlov Petrova Qureshi Rahimi Sadykov Tokaev Usmonov Volkov Wang Yakubov Zaheer Alimov Barzani "
    "Chaudhry Durrani Efimov Faizi Gromov Hotak Iskandarov Jurayev Khan Li Mansur Noorzai Osmani"
).split()
_ADJ = (
    "Eurasian Central Regional Northern Southern Caspian Steppe Mountain Silk Frontier River Desert".split()
)
_NOUN = "Cooperation Security Trade Energy Water Transport Customs Health Border Investment".split()
_BODY = "Council Forum Commission Organization Agency Union Bank Alliance".split()
_TOPICS = (
    "terrorism refugees drug trafficking water sharing border security trade corridors energy pipelines "
    "humanitarian aid women's rights inclusive government mineral resources railways sanctions recognition"
).split(" ")
_VERBS = "met discussed signed reviewed announced rejected welcomed criticized postponed agreed on".split(" ")
_FILLER = (
    "the talks were described as constructive by officials who asked not to be named and who said that "
    "further rounds would follow in the coming months as both sides sought to narrow their differences over "
    "implementation timetables financing and the sequencing of commitments while observers noted that "
    "similar pledges had been made before without lasting results on the ground"
).split()
_PHRASES = (
    "we will not allow our territory to be used against our neighbours",
    "the region needs stability more than it needs new promises",
    "dialogue remains the only way forward for all sides",
    "our patience with empty commitments has limits",
    "the humanitarian situation demands urgent and coordinated action",
    "trade and transit can bring prosperity to the whole region",
)


@dataclass
class _Entity:
    id: str
    kind: str
    name: str
    aliases: list[str] = field(default_factory=list)
    extra: str = ""


def _yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _countries(rng: random.Random, count: int) -> list[_Entity]:
    picked = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        name = getattr(country, "common_name", None) or country.name
        if any(ch in name for ch in ",()'.") or len(name.split()) > 2:
            continue
        picked.append(_Entity(slugify(name), "countries", name, extra=f"iso: {country.alpha_2}\n"))
    rng.shuffle(picked)
    return sorted(picked[:count], key=lambda e: e.id)


def write_corpus(folder: Path, sources: int, seed: int = 0) -> None:
    """Write a valid corpus of ``sources`` texts (and the records they name) under ``folder``."""
    rng = random.Random(seed)
    used: set[str] = set()

    def unique(base: str) -> str:
        candidate = base
        for n in itertools.count(2):
            if candidate not in used:
                used.add(candidate)
                return candidate
            candidate = f"{base}-{n}"
        raise AssertionError  # pragma: no cover

    countries = _countries(rng, 60)
    used.update(c.id for c in countries)
    people: list[_Entity] = []
    names = sorted({f"{f} {last}" for f in _FIRST for last in _LAST})
    rng.shuffle(names)
    for name in names[:150]:
        person_id = unique(slugify(name))
        country = rng.choice(countries)
        since = rng.randint(2005, 2020)
        people.append(
            _Entity(
                person_id,
                "people",
                name,
                [name.split()[-1] + " " + name.split()[0][0] + "."],
                f"roles:\n  - {{title: Foreign Minister, of: {country.id}, since: {since}}}\n",
            )
        )
    organizations: list[_Entity] = []
    for adj, noun, body in itertools.islice(
        ((a, n, b) for a in _ADJ for n in _NOUN for b in _BODY if (len(a) + len(n) + len(b)) % 3 == 0), 40
    ):
        name = f"{adj} {noun} {body}"
        short = "".join(w[0] for w in name.split()) + "O" * (len(organizations) % 2)
        org_id = unique(slugify(name))
        members = rng.sample(countries, 6)
        member_lines = "".join(f"  - {{id: {m.id}, since: {rng.randint(1995, 2010)}}}\n" for m in members)
        organizations.append(
            _Entity(
                org_id,
                "organizations",
                name,
                [],
                f"short: {unique(short)}\nkind: intergovernmental\nmembers:\n{member_lines}",
            )
        )
    places: list[_Entity] = []
    place_names = sorted(
        {f"{p} {last}abad" for p in ("Port", "Fort", "New", "Upper", "Lower", "Old") for last in _LAST}
    )
    for i, name in enumerate(rng.sample(place_names, 60)):
        place_id = unique(slugify(name))
        country = rng.choice(countries)
        lat, lon = round(rng.uniform(20, 50), 4), round(rng.uniform(40, 90), 4)
        places.append(
            _Entity(
                place_id,
                "places",
                name,
                [],
                f"kind: city\ncountry: {country.id}\ncoordinates: [{lat}, {lon}]\n",
            )
        )
        del i
    topics = [_Entity(unique(slugify(t)), "topics", t.capitalize(), [t]) for t in _TOPICS]
    entities = countries + people + organizations + places + topics

    # events
    events: list[tuple[_Entity, int, int, int]] = []
    summits: list[tuple[str, int, int, int]] = []
    for i in range(min(2000, max(5, sources // 5))):
        year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
        place = rng.choice(places)
        participants = rng.sample(countries, rng.randint(2, 5)) + rng.sample(people, rng.randint(0, 2))
        kind = rng.choice(["meeting", "summit", "statement", "visit"])
        title = f"{kind.capitalize()} in {place.name}, {year}-{month:02d}-{day:02d} ({i})"
        event_id = unique(f"event-{i:05d}")
        part_of = ""
        same_day = [s for s in summits if (s[1], s[2], s[3]) == (year, month, day)]
        if kind == "meeting" and same_day:
            part_of = f"part_of: {same_day[0][0]}\n"
        participant_lines = "".join(
            f"  - {{id: {p.id}, role: Foreign Minister}}\n" if p.kind == "people" else f"  - {p.id}\n"
            for p in participants
        )
        extra = (
            f"date: {year}-{month:02d}-{day:02d}\nkind: {kind}\nplace: {place.id}\n{part_of}"
            f"participants:\n{participant_lines}topics: {_yaml_list([t.id for t in rng.sample(topics, 2)])}\n"
        )
        events.append((_Entity(event_id, "events", title, [], extra), year, month, day))
        if kind == "summit":
            summits.append((event_id, year, month, day))

    # Zipf-like weights: the first records are named far more often than the last
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(entities))]
    order = list(entities)
    rng.shuffle(order)

    def pick() -> _Entity:
        return rng.choices(order, weights=weights)[0]

    def surface(entity: _Entity) -> str:
        return rng.choice([entity.name, *entity.aliases]) if entity.aliases else entity.name

    source_lines: list[tuple[Path, str]] = []
    for i in range(sources):
        reported = rng.sample(events, rng.randint(1, 3))
        latest = max(reported, key=lambda e: (e[1], e[2], e[3]))
        published = f"{latest[1]}-{latest[2]:02d}-{min(28, latest[3] + rng.randint(0, 3)):02d}"
        paragraphs: list[str] = []
        quotes: list[tuple[str, str]] = []
        words = 0
        while words < 600:
            sentences = []
            for _ in range(rng.randint(3, 5)):
                a, b = pick(), pick()
                filler = " ".join(rng.sample(_FILLER, rng.randint(6, 14)))
                verb = rng.choice(_VERBS)
                if a.kind == "people" and len(quotes) < 3 and rng.random() < 0.3:
                    phrase = rng.choice(_PHRASES)
                    sentences.append(f"{surface(a)} said that “{phrase}” after {filler}.")
                    quotes.append((a.id, phrase))
                elif rng.random() < 0.08:
                    sentences.append(f"Officials from [[{a.id}|{a.name}]] {verb} {surface(b)} as {filler}.")
                else:
                    other = surface(b) if rng.random() < 0.5 else "the proposal"
                    subject = surface(a).capitalize() if a.kind == "topics" else surface(a)
                    sentences.append(f"{subject} {verb} {other} while {filler}.")
            paragraph = " ".join(sentences)
            words += len(paragraph.split())
            paragraphs.append(paragraph)
        title = f"Report {i}: {reported[0][0].name.split(',')[0]}"
        quote_yaml = "".join(f'  - by: {by}\n    text: "{text}"\n' for by, text in quotes)
        front = (
            f'---\ntitle: "{title}"\npublished: {published}\npublisher: Synthetic Wire\n'
            f"reports: {_yaml_list([e[0].id for e in reported])}\n"
            f"topics: {_yaml_list([t.id for t in rng.sample(topics, 2)])}\n"
            + (f"quotes:\n{quote_yaml}" if quotes else "")
            + "---\n"
        )
        path = folder / "sources" / published[:4] / f"report-{i:05d}.md"
        source_lines.append((path, front + "\n\n".join(paragraphs) + "\n"))

    for entity in entities:
        _write(folder / entity.kind / f"{entity.id}.md", _entity_text(entity))
    for event, *_ in events:
        _write(folder / "events" / f"{event.id}.md", f'---\ntitle: "{event.name}"\n{event.extra}---\n')
    for path, text in source_lines:
        _write(path, text)


def _entity_text(entity: _Entity) -> str:
    aliases = f"aliases: {_yaml_list(entity.aliases)}\n" if entity.aliases else ""
    return f'---\nname: "{entity.name}"\n{aliases}{entity.extra}---\n'


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
