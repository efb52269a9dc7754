"""Who is tied to whom: the weighted relations the pictures draw.

Ties come from what the corpus already links: records mentioned together or taking
part in the same event (``Corpus.related``), memberships and offices. Countries that
took part in the same event "met"; each such pair gets a page of its shared events.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from itertools import combinations

from generator import urls
from generator.corpus import Corpus, sort_key


def ties(corpus: Corpus, record_id: str) -> list[tuple[str, int]]:
    """The records tied to one, strongest first: co-mentions plus one per membership or office."""
    weights: Counter[str] = Counter(dict(corpus.related.get(record_id, ())))
    for ms in corpus.memberships.get(record_id, ()):
        other = ms.member if ms.organization == record_id else ms.organization
        weights[other] += 1
    for office in corpus.offices.get(record_id, ()):
        tied = office.role.of if office.person == record_id else office.person
        if tied:
            weights[tied] += 1
    weights.pop(record_id, None)
    records = corpus.records
    return sorted(
        ((rid, w) for rid, w in weights.items() if rid in records),
        key=lambda x: (-x[1], records[x[0]].name.casefold(), x[0]),
    )


def meetings(corpus: Corpus) -> dict[tuple[str, str], tuple[str, ...]]:
    """For each pair of countries (ids in order) the events both took part in, oldest first."""
    met: dict[tuple[str, str], list[str]] = defaultdict(list)
    for event in corpus.of_kind("events"):
        countries = sorted(
            {p.id for p in getattr(event.front, "participants", ()) if _kind(corpus, p.id) == "countries"}
        )
        for pair in combinations(countries, 2):
            met[pair].append(event.id)
    return {pair: tuple(events) for pair, events in sorted(met.items())}


pair_page = urls.pair_page


def network(
    corpus: Corpus, size: int = 40
) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str, int], ...]]:
    """The records with the strongest ties overall (sources aside) and the ties among them."""
    strength: Counter[str] = Counter()
    edges: dict[tuple[str, str], int] = {}
    for rid, related in corpus.related.items():
        if _kind(corpus, rid) == "sources":
            continue
        for other, weight in related:
            if _kind(corpus, other) == "sources":
                continue
            strength[rid] += weight
            a, b = sorted((rid, other))
            edges[(a, b)] = max(edges.get((a, b), 0), weight)
    records = corpus.records
    chosen = sorted(strength.items(), key=lambda x: (-x[1], records[x[0]].name.casefold(), x[0]))[:size]
    shown = {rid for rid, _ in chosen}
    # Nodes in a stable order that does not depend on their weights: kind, then name.
    nodes = tuple(sorted(chosen, key=lambda x: sort_key(records[x[0]])))
    kept = sorted(
        ((a, b, w) for (a, b), w in edges.items() if a in shown and b in shown),
        key=lambda e: (-e[2], e[0], e[1]),
    )
    return nodes, tuple(kept)


def _kind(corpus: Corpus, rid: str) -> str | None:
    record = corpus.records.get(rid)
    return record.kind if record else None


def strongest_pairs(
    pairs: Mapping[tuple[str, str], tuple[str, ...]], limit: int
) -> list[tuple[str, str, int]]:
    ranked = sorted(((a, b, len(ev)) for (a, b), ev in pairs.items()), key=lambda x: (-x[2], x[0], x[1]))
    return ranked[:limit]


__all__ = ["meetings", "network", "pair_page", "strongest_pairs", "ties"]
