"""Sources that translate other sources (``translation_of``), and what the corpus checks of
texts in other languages: the translation relation, names written in scripts no text uses,
and the mentions that matched a name only in a declined or prefixed form."""

from __future__ import annotations

from collections.abc import Mapping

from generator.languages import SCRIPT_NAMES, scripts_of, text_has_script
from generator.mentions import Text
from generator.problems import Problem, error, suggestion, warning
from generator.records import Record
from generator.schema import Source


def original_of(record: Record) -> str | None:
    front = record.front
    return front.translation_of if isinstance(front, Source) else None


def translation_problems(
    records: Mapping[str, Record], broken: frozenset[str] = frozenset()
) -> list[Problem]:
    """``translation_of`` naming no source, the source itself, or making a cycle (errors);
    a translation in its original's own language (a warning)."""
    problems: list[Problem] = []
    sources = [r.id for r in records.values() if r.kind == "sources"]
    for record in records.values():
        original = original_of(record)
        if not original or original in broken:
            continue
        line = record.line_of("translation_of")
        target = records.get(original)
        if target is None:
            problems.append(
                error(
                    record.path,
                    line,
                    f"field 'translation_of': unknown id '{original}'{suggestion(original, sources)}",
                )
            )
        elif target.kind != "sources":
            problems.append(
                error(
                    record.path,
                    line,
                    f"field 'translation_of': '{original}' is a {target.label.lower()} ({target.path}), "
                    "but this field takes the id of the source this text translates",
                )
            )
        elif original == record.id:
            problems.append(
                error(record.path, line, "field 'translation_of': a source cannot translate itself")
            )
        elif target.language.tag == record.language.tag:
            problems.append(
                warning(
                    record.path,
                    line,
                    f"field 'translation_of': '{original}' is in {target.language.name} too; "
                    "set this text's 'language' to the language it is written in",
                )
            )
        else:
            chain = [record.id, original]
            current = original_of(target)
            while current and current in records:
                if current in chain:
                    problems.append(
                        error(
                            record.path,
                            line,
                            f"field 'translation_of' makes a cycle: {' → '.join([*chain, current])}",
                        )
                    )
                    break
                chain.append(current)
                current = original_of(records[current])
    return problems


def script_warnings(records: Mapping[str, Record]) -> list[Problem]:
    """A name or alias written in a script that no source text of the corpus uses links
    nothing: most often a typing slip (a Cyrillic letter in a Latin name) or a text not
    yet added. One warning per name, at its line."""
    bodies = [r.body + "\n" + r.name for r in records.values() if r.kind == "sources" and r.body.strip()]
    if not bodies:
        return []  # no texts yet: nothing to compare with
    used: dict[str, bool] = {}

    def in_texts(script: str) -> bool:
        if script not in used:
            used[script] = any(text_has_script(body, script) for body in bodies)
        return used[script]

    problems: list[Problem] = []
    for record in records.values():
        if record.kind == "sources":
            continue
        for surface in record.aliases:
            unused = sorted(s for s in scripts_of(surface) if not in_texts(s))
            if not unused:
                continue
            field_name = "name" if surface == record.name else "aliases"
            if field_name == "aliases" and surface == getattr(record.front, "short", None):
                field_name = "short"
            names = " and ".join(SCRIPT_NAMES.get(s, s) for s in unused)
            problems.append(
                warning(
                    record.path,
                    record.line_of(field_name),
                    f"'{surface}' is written in {names}, which no text of the corpus uses: "
                    "it links nothing yet (check for a letter typed in another script)",
                )
            )
    return problems


def matched_forms(records: Mapping[str, Record], texts: Mapping[str, Text]) -> list[str]:
    """Every auto-linked mention that is not a name as written but a declined or prefixed
    form of one, as ``path:line:col: note: …`` lines, for an author to review
    (``python -m generator check --forms``)."""
    lines = []
    for record_id, text in texts.items():
        record = records.get(record_id)
        if record is None:
            continue
        for _block, seg, _offset in text.mentions():
            if seg.via:
                how = FORM_KINDS.get(seg.via, seg.via)
                lines.append(
                    (
                        record.path,
                        seg.line,
                        seg.column,
                        f"'{seg.plain}' links {seg.target} as {how} of '{seg.form_of}' "
                        f"({record.language.name} text; 'inflect: false' on the record or the text "
                        "turns this off)",
                    )
                )
    return [f"{path}:{line}:{column}: note: {message}" for path, line, column, message in sorted(lines)]


FORM_KINDS = {
    "declined": "a declined form",
    "stem": "a form with the same Snowball stem",
    "prefix": "a prefixed form",
}
