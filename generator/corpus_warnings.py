"""Warnings for authors: things that are valid but probably not what they meant.

- a record that nothing mentions, reports or refers to;
- an event that no source reports;
- a capitalised name that recurs in the texts and matches no record (a candidate record);
- an event dated after the publication of a source that reports it;
- role or membership dates that contradict an event.
"""

from __future__ import annotations

import re
from collections import Counter

from generator.corpus import Corpus
from generator.dates import PartialDate
from generator.incremental import BuildCache
from generator.linking import refs_of
from generator.mentions import Text
from generator.problems import Problem, warning
from generator.schema import Event, Organization, Person, Source

_CAPITALISED_RE = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:of|for|and|de|al|bin)?\s*[A-Z][\w'’-]+){0,4}")
_STOP = frozenset(
    [
        "A",
        "An",
        "And",
        "As",
        "At",
        "But",
        "By",
        "For",
        "From",
        "He",
        "Her",
        "His",
        "How",
        "I",
        "If",
        "In",
        "It",
        "Its",
        "Many",
        "More",
        "Most",
        "No",
        "Not",
        "Of",
        "On",
        "Or",
        "Our",
        "She",
        "So",
        "Some",
        "That",
        "The",
        "Their",
        "Then",
        "There",
        "These",
        "They",
        "This",
        "Those",
        "To",
        "We",
        "What",
        "When",
        "Where",
        "Which",
        "While",
        "Who",
        "Why",
        "With",
        "You",
        "Your",
        "After",
        "Before",
        "Both",
        "Each",
        "Even",
        "Also",
        "Such",
        "Than",
        "Yet",
        "All",
        "Any",
        "Other",
        "Seeing",
        "Positive",
        "Officials",
        "Senior",
        "Click",
        "Follow",
        "Feel",
        "Articles",
        "Disclaimer",
        "Copyright",
        "Region",
        "Theme",
    ]
)
CANDIDATE_MIN_COUNT = 2


def corpus_warnings(corpus: Corpus, cache: BuildCache | None = None) -> list[Problem]:
    problems: list[Problem] = []
    problems.extend(_unreferenced(corpus))
    problems.extend(_unreported_events(corpus))
    problems.extend(_reported_before_it_happened(corpus))
    problems.extend(_dates_contradict_events(corpus))
    problems.extend(_candidate_records(corpus, cache))
    return problems


def _unreferenced(corpus: Corpus) -> list[Problem]:
    referenced: set[str] = set(corpus.backlinks)
    for record in corpus.records.values():
        for ref in refs_of(record):
            referenced.add(ref.value)
        front = record.front
        if isinstance(front, Source):
            referenced.update(v for v in (front.publisher, front.author) if v)
    problems = []
    for record in corpus.records.values():
        if record.kind in ("sources", "events") or record.id in referenced:
            continue
        problems.append(
            warning(
                record.path,
                1,
                f"nothing mentions '{record.id}': no text names it and no record refers to it "
                "(add a name or alias that the texts use, or a [[" + record.id + "]] mention)",
            )
        )
    return problems


def _unreported_events(corpus: Corpus) -> list[Problem]:
    return [
        warning(
            record.path,
            1,
            f"no source reports the event '{record.id}': add it to a source's 'reports'",
        )
        for record in corpus.records.values()
        if record.kind == "events" and record.id not in corpus.reported_by
    ]


def _reported_before_it_happened(corpus: Corpus) -> list[Problem]:
    problems = []
    for record in corpus.records.values():
        front = record.front
        if not isinstance(front, Source):
            continue
        for i, event_id in enumerate(front.reports):
            event = corpus.records.get(event_id)
            if event is None or not isinstance(event.front, Event):
                continue
            if event.front.when.first_day() > front.published.last_day():
                problems.append(
                    warning(
                        record.path,
                        record.line_of("reports", i),
                        f"field 'reports[{i}]': the event '{event_id}' ({event.front.when.human()}) is dated "
                        f"after this source was published ({front.published.human()})",
                    )
                )
    return problems


def _outside(when: PartialDate, since: PartialDate | None, until: PartialDate | None) -> bool:
    if since is not None and when.last_day() < since.first_day():
        return True
    return until is not None and when.first_day() > until.last_day()


def _dates_contradict_events(corpus: Corpus) -> list[Problem]:
    problems = []
    for record in corpus.records.values():
        front = record.front
        if not isinstance(front, Event):
            continue
        when = front.when
        present = {p.id for p in front.participants}
        for i, participant in enumerate(front.participants):
            actor = corpus.records.get(participant.id)
            if actor is None:
                continue
            if isinstance(actor.front, Person) and participant.role:
                roles = [r for r in actor.front.roles if r.title.casefold() == participant.role.casefold()]
                if roles and all(_outside(when, r.since, r.until) for r in roles):
                    problems.append(
                        warning(
                            record.path,
                            record.line_of("participants", i),
                            f"field 'participants[{i}]': {actor.name} takes part as '{participant.role}' on "
                            f"{when.human()}, but that role's dates in {actor.path} do not cover it",
                        )
                    )
            for membership in corpus.memberships.get(participant.id, ()):
                if membership.member != participant.id or membership.organization not in present:
                    continue
                if _outside(when, membership.since, membership.until):
                    org = corpus.records[membership.organization]
                    assert isinstance(org.front, Organization)
                    problems.append(
                        warning(
                            record.path,
                            record.line_of("participants", i),
                            f"field 'participants[{i}]': {actor.name} takes part beside {org.name} on "
                            f"{when.human()}, but its membership in {org.path} does not cover that date",
                        )
                    )
    return problems


def _candidate_records(corpus: Corpus, cache: BuildCache | None) -> list[Problem]:
    known: set[str] = set()
    for record in corpus.records.values():
        for alias in record.aliases:
            known.add(alias)
            known.update(alias.split())
    counts: Counter[str] = Counter()
    first_seen: dict[str, tuple[str, int]] = {}
    for record_id, text in sorted(corpus.texts.items()):
        record = corpus.records[record_id]
        if not isinstance(record.front, Source):
            continue
        hit = cache.candidates.get(record_id) if cache is not None else None
        if hit is not None and hit[0] is text:
            names = hit[1]
        else:
            names = _capitalised_names(text)
            if cache is not None:
                cache.candidates[record_id] = (text, names)
        for name, line in names:
            if name in known or name.split()[0] in _STOP and len(name.split()) == 1:
                continue
            counts[name] += 1
            first_seen.setdefault(name, (record.path, line))
    problems = []
    for name, count in sorted(counts.items()):
        if count < CANDIDATE_MIN_COUNT:
            continue
        path, line = first_seen[name]
        problems.append(
            warning(
                path,
                line,
                f"'{name}' occurs {count} times in the texts and matches no record: a candidate record?",
            )
        )
    return problems


def _capitalised_names(text: Text) -> list[tuple[str, int]]:
    """Capitalised runs of words in plain text segments, except at the start of a sentence."""
    found: list[tuple[str, int]] = []
    for block in text.paragraphs:
        if block.kind != "paragraph":
            continue
        for seg in block.segments:
            if seg.kind != "text":
                continue
            for m in _CAPITALISED_RE.finditer(seg.plain):
                name = " ".join(m.group(0).split())
                words = name.split()
                while words and words[0] in _STOP:
                    words = words[1:]
                if not words:
                    continue
                before = seg.plain[: m.start()].rstrip()
                if (not before or before[-1] in '.!?“"‘') and len(words) == 1:
                    continue  # a single capitalised word starting a sentence
                line = seg.line + seg.plain[: m.start()].count("\n")
                found.append((" ".join(words), line))
    return found
