"""Checking every reference against the corpus: ids in fields, ``[[id]]`` mentions, quotes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from generator import kinds
from generator.mentions import Matcher, Text, parse, resolve
from generator.problems import Problem, error, suggestion, warning
from generator.quotes import Found, Haystack, closest_passage, find
from generator.reading import ID_RE
from generator.records import KIND_LABELS, Record
from generator.schema import Event, Organization, Person, Place, Source, field_path

ACTORS = kinds.ACTORS


@dataclass(frozen=True)
class Ref:
    """One id given in a field, with the kinds it may name."""

    loc: tuple[str | int, ...]
    value: str
    kinds: tuple[str, ...]


def refs_of(record: Record) -> Iterator[Ref]:
    """Every id-valued field of a record (``publisher`` and ``author`` excepted)."""
    front = record.front
    if isinstance(front, Organization):
        for i, member in enumerate(front.members):
            yield Ref(("members", i, "id"), member.id, ACTORS)
        if front.parent:
            yield Ref(("parent",), front.parent, ("organizations",))
    if isinstance(front, Organization | Place) and front.country:
        yield Ref(("country",), front.country, ("countries",))
    if isinstance(front, Person):
        for i, role in enumerate(front.roles):
            if role.of:
                yield Ref(("roles", i, "of"), role.of, kinds.OFFICE_OF)
    if isinstance(front, Event):
        if front.place:
            yield Ref(("place",), front.place, ("places",))
        for i, participant in enumerate(front.participants):
            yield Ref(("participants", i, "id"), participant.id, ACTORS)
        if front.part_of:
            yield Ref(("part_of",), front.part_of, ("events",))
    if isinstance(front, Event | Source):
        for i, topic in enumerate(front.topics):
            yield Ref(("topics", i), topic, ("topics",))
    if isinstance(front, Source):
        for i, event in enumerate(front.reports):
            yield Ref(("reports", i), event, ("events",))
        for i, quote in enumerate(front.quotes):
            for j, by in enumerate(quote.by):
                yield Ref(
                    ("quotes", i, "by", j)
                    if len(quote.by) > 1 or _is_list(record, i)
                    else ("quotes", i, "by"),
                    by,
                    ACTORS,
                )
            if quote.event:
                yield Ref(("quotes", i, "event"), quote.event, ("events",))
            for j, topic in enumerate(quote.topics):
                yield Ref(("quotes", i, "topics", j), topic, ("topics",))


def referenced(record: Record) -> Iterator[str]:
    """Every id a record's fields name (:func:`refs_of`, and a source's publisher and author)."""
    for ref in refs_of(record):
        yield ref.value
    front = record.front
    if isinstance(front, Source):
        yield from (v for v in (front.publisher, front.author) if v)


def _is_list(record: Record, i: int) -> bool:
    return ("quotes", i, "by", 0) in record.lines


def _kinds_text(kinds: Iterable[str]) -> str:
    names = [KIND_LABELS[k][0].lower() for k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def check_ref(record: Record, ref: Ref, records: Mapping[str, Record], loc_text: str) -> Problem | None:
    target = records.get(ref.value)
    line = record.line_of(*ref.loc)
    if target is None:
        pool = [r.id for r in records.values() if r.kind in ref.kinds] or list(records)
        hint = suggestion(ref.value, pool)
        if not hint and not ID_RE.match(ref.value):
            hint = " (ids are lower-case words joined by hyphens, like 'sergey-lavrov')"
        return error(record.path, line, f"{loc_text}: unknown id '{ref.value}'{hint}")
    if target.kind not in ref.kinds:
        return error(
            record.path,
            line,
            f"{loc_text}: '{ref.value}' is a {target.label.lower()} ({target.path}), "
            f"but this field takes a {_kinds_text(ref.kinds)}",
        )
    return None


def check_references(records: Mapping[str, Record], broken: frozenset[str] = frozenset()) -> list[Problem]:
    """Problems of every id-valued field. Ids in ``broken`` (files that exist but did not
    validate) are not reported again as unknown."""
    problems: list[Problem] = []
    for record in records.values():
        problems.extend(record_problems(record, records, broken))
    problems.extend(cycle_problems(records))
    return problems


def cycle_problems(records: Mapping[str, Record]) -> list[Problem]:
    """Events held within themselves and organizations their own parent, through any chain."""
    return [problem for kind, fld in kinds.CHAINS for problem in _cycles(records, kind, fld)]


def record_problems(
    record: Record, records: Mapping[str, Record], broken: frozenset[str] = frozenset()
) -> list[Problem]:
    """Problems of one record's id-valued fields."""
    problems: list[Problem] = []
    for ref in refs_of(record):
        if ref.value in broken:
            continue
        found = check_ref(record, ref, records, f"field '{field_path(ref.loc)}'")
        if found:
            problems.append(found)
    front = record.front
    if isinstance(front, Source):
        for fld in ("publisher", "author"):
            value = getattr(front, fld)
            if value and value not in records and ID_RE.match(value):
                hint = suggestion(value, records)
                problems.append(
                    warning(
                        record.path,
                        record.line_of(fld),
                        f"field '{fld}': '{value}' is no record's id, so it is shown as plain text{hint}",
                    )
                )
            elif value in records and records[value].kind not in kinds.AUTHORS:
                problems.append(
                    error(
                        record.path,
                        record.line_of(fld),
                        f"field '{fld}': '{value}' is a {records[value].label.lower()}, "
                        "but this field takes an organization or a person",
                    )
                )
    return problems


def _cycles(records: Mapping[str, Record], kind: str, fld: str) -> list[Problem]:
    problems = []
    reported: set[str] = set()
    for record in records.values():
        if record.kind != kind or record.id in reported:
            continue
        chain = [record.id]
        current: str | None = getattr(record.front, fld)
        while current and current in records and records[current].kind == kind:
            if current in chain:
                cycle = chain[chain.index(current) :] + [current]
                for member in cycle[:-1]:
                    if member not in reported:
                        reported.add(member)
                        rec = records[member]
                        problems.append(
                            error(
                                rec.path,
                                rec.line_of(fld),
                                f"field '{fld}' makes a cycle: {' → '.join(cycle)}",
                            )
                        )
                break
            chain.append(current)
            current = getattr(records[current].front, fld)
    return problems


MatcherInputs = tuple[tuple[str, tuple[str, ...], bool], ...]  # (id, names, inflects) of each named record


def matcher_inputs(records: Mapping[str, Record]) -> MatcherInputs:
    """What :func:`build_matcher` makes its matcher from: equal inputs, equal matchers."""
    named = [r for r in records.values() if kinds.BY_NAME[r.kind].named_in_texts]
    return tuple(sorted((r.id, r.aliases, r.inflects) for r in named))  # whatever order they came in


def build_matcher(records: Mapping[str, Record]) -> Matcher:
    return matcher_of(matcher_inputs(records))


def matcher_of(inputs: MatcherInputs, find: bool = True) -> Matcher:
    """The matcher of these names (``find=False``: which record each names, and no pattern)."""
    fixed = [rid for rid, _names, inflects in inputs if not inflects]
    return Matcher.build({rid: names for rid, names, _inflects in inputs}, fixed=fixed, find=find)


def ambiguity_warnings(records: Mapping[str, Record], matcher: Matcher) -> list[Problem]:
    problems = []
    for surface, ids in sorted(matcher.ambiguous().items()):
        for record_id in ids:
            record = records[record_id]
            others = ", ".join(i for i in ids if i != record_id)
            problems.append(
                warning(
                    record.path,
                    record.line_of("aliases") if surface not in (record.name,) else record.line_of("name"),
                    f"'{surface}' names several records ({record_id}, {others}): it is not auto-linked; "
                    f"use [[{record_id}|{surface}]] where it means this one",
                )
            )
    return problems


def link_texts(
    records: Mapping[str, Record],
    matcher: Matcher,
    broken: frozenset[str] = frozenset(),
) -> tuple[dict[str, Text], list[Problem]]:
    """Every body parsed, its mentions resolved (auto-linked in sources), unknown ids reported."""
    names = record_names(records)
    texts: dict[str, Text] = {}
    problems: list[Problem] = []
    for record in records.values():
        if not record.body.strip():
            continue
        text = link_text(record, names, matcher)
        texts[record.id] = text
        problems.extend(mention_problems(record, text, records, broken))
    return texts, problems


def record_names(records: Mapping[str, Record]) -> dict[str, str]:
    """Each record's display name, by id: what an explicit ``[[id]]`` mention shows."""
    return {r.id: r.name for r in records.values()}


def autolinked(record: Record) -> bool:
    """Whether a record's text is auto-linked: a source's, unless it says ``autolink: false``."""
    return isinstance(record.front, Source) and record.front.autolink


def link_text(record: Record, names: Mapping[str, str], matcher: Matcher) -> Text:
    """One record's body parsed and its mentions resolved (pure)."""
    return resolve(
        parse(record.body, record.body_line),
        names,
        matcher if autolinked(record) else None,
        record.language.tag,
        record.inflects,
    )


def mention_problems(
    record: Record, text: Text, records: Mapping[str, object], broken: frozenset[str] = frozenset()
) -> list[Problem]:
    """Explicit mentions in one text that name no record (empty, or an unknown id)."""
    problems: list[Problem] = []
    for _block, seg, _offset in text.mentions():
        if seg.explicit and seg.target not in records and seg.target not in broken:
            if not seg.target:
                problems.append(
                    error(
                        record.path, seg.line, "empty mention '[[]]': write [[id]] or [[id|text]]", seg.column
                    )
                )
                continue
            problems.append(
                error(
                    record.path,
                    seg.line,
                    f"mention '{seg.raw}': unknown id '{seg.target}'{suggestion(seg.target, records)}",
                    seg.column,
                )
            )
    return problems


def locate_quotes(
    records: Mapping[str, Record], texts: Mapping[str, Text]
) -> tuple[dict[tuple[str, int], Found], list[Problem]]:
    found: dict[tuple[str, int], Found] = {}
    problems: list[Problem] = []
    for record in records.values():
        if not isinstance(record.front, Source):
            continue
        mine, mine_problems = quotes_of(record, texts.get(record.id, Text(())))
        found.update({(record.id, i): f for i, f in mine.items()})
        problems.extend(mine_problems)
    return found, problems


def quotes_of(record: Record, text: Text) -> tuple[dict[int, Found], list[Problem]]:
    """Where each quote of a source stands in its text (by quote index), and the quotes that
    do not occur in it."""
    assert isinstance(record.front, Source)
    mine: dict[int, Found] = {}
    problems: list[Problem] = []
    haystack = Haystack.of(text) if record.front.quotes else None
    for i, quote in enumerate(record.front.quotes):
        assert haystack is not None
        where = find(quote.text, haystack)
        if where is None:
            near = closest_passage(quote.text, text)
            hint = f"; the closest passage is: {near}" if near else ""
            problems.append(
                error(
                    record.path,
                    record.line_of("quotes", i, "text"),
                    f"field 'quotes[{i}].text' does not occur in the text "
                    f"(white space and quotation-mark style aside){hint}",
                )
            )
        else:
            mine[i] = where
    return mine, problems
