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
from collections.abc import Callable, Mapping

from generator import kinds
from generator.corpus import Corpus
from generator.dates import PartialDate
from generator.mentions import Text
from generator.problems import Problem, warning
from generator.records import Record
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
_CALENDAR = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December".split()
)
CANDIDATE_MIN_COUNT = 2


def corpus_warnings(
    corpus: Corpus, names_in: Mapping[str, list[tuple[str, int]]] | None = None
) -> list[Problem]:
    """Every warning of a linked corpus. ``names_in``: the capitalised names of each source's
    text (:func:`capitalised_names`), where they are known already."""
    records = corpus.records.values()
    problems = [p for check in RECORD_CHECKS for record in records for p in check(corpus, record)]
    problems.extend(candidate_records(corpus, names_in))
    return problems


def _unreferenced(corpus: Corpus, record: Record) -> list[Problem]:
    if record.kind in kinds.DATED or record.id in corpus.backlinks or record.id in corpus.referrers:
        return []
    return [
        warning(
            record.path,
            1,
            f"nothing mentions '{record.id}': no text names it and no record refers to it "
            "(add a name or alias that the texts use, or a [[" + record.id + "]] mention)",
        )
    ]


def _unreported_event(corpus: Corpus, record: Record) -> list[Problem]:
    """An event that no source reports, neither it nor any event held within it."""

    def reported(event_id: str, seen: frozenset[str] = frozenset()) -> bool:
        if event_id in corpus.reported_by:
            return True
        return any(
            reported(part, seen | {event_id}) for part in corpus.parts.get(event_id, ()) if part not in seen
        )

    if record.kind != "events" or reported(record.id):
        return []
    return [
        warning(
            record.path,
            1,
            f"no source reports the event '{record.id}' or any event held within it: "
            "add it to a source's 'reports'",
        )
    ]


def _reported_before_it_happened(corpus: Corpus, record: Record) -> list[Problem]:
    front = record.front
    if not isinstance(front, Source):
        return []
    problems = []
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


def _dates_contradict_events(corpus: Corpus, record: Record) -> list[Problem]:
    """An event's participants whose role or membership dates do not cover its date."""
    problems: list[Problem] = []
    front = record.front
    if isinstance(front, Event):
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
            if participant.role and "member" not in participant.role.casefold():
                continue  # an observer, a guest or a host need not be a member
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


def candidate_records(corpus: Corpus, names_in: Mapping[str, list[tuple[str, int]]] | None) -> list[Problem]:
    known: set[str] = set(_CALENDAR)
    names_of_records: set[str] = set()
    for record in corpus.records.values():
        for alias in record.aliases:
            names_of_records.add(alias)
            known.add(alias)
            known.update(alias.split())
        if isinstance(record.front, Person):
            known.update(role.title for role in record.front.roles)
    stems = {word[:4] for word in known if len(word) >= 4 and " " not in word and word[:1].isupper()}
    counts: Counter[str] = Counter()
    first_seen: dict[str, tuple[str, int]] = {}
    for record_id in sorted(corpus.texts):  # the texts themselves only when their names are not given
        record = corpus.records[record_id]
        if not isinstance(record.front, Source):
            continue
        names = names_in[record_id] if names_in is not None else capitalised_names(corpus.texts[record_id])
        for found, line in names:
            words = found.split()
            while (
                len(words) > 1
                and len(words[0]) >= 5
                and words[0][:4] in stems
                and words[0] not in names_of_records
            ):
                words = words[1:]  # a demonym or derived form of a known name: "Russian", "Afghan"
            name = " ".join(words)
            if (
                not name
                or name in known
                or (len(words) == 1 and (words[0] in _STOP or words[0][:4] in stems))
            ):
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


def capitalised_names(text: Text) -> list[tuple[str, int]]:
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


RecordCheck = Callable[[Corpus, Record], list[Problem]]

RECORD_CHECKS: tuple[RecordCheck, ...] = (
    _unreferenced,
    _unreported_event,
    _reported_before_it_happened,
    _dates_contradict_events,
)
"""The warnings of one record of a linked corpus, each a function of the corpus and the
record: the engine keeps each record's until what making it read changes. (Candidate
records are a warning of the whole corpus: :func:`candidate_records`.)"""
