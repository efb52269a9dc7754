"""Problems found in a corpus: located, collected, never printed by the core."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the corpus, at a place an author can open."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity.value}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def error(path: str, line: int, message: str, column: int = 1) -> Problem:
    return Problem(path, max(line, 1), max(column, 1), Severity.ERROR, message)


def warning(path: str, line: int, message: str, column: int = 1) -> Problem:
    return Problem(path, max(line, 1), max(column, 1), Severity.WARNING, message)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in a stable order: by file, then line, then column; duplicates dropped."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.column, p.severity.value, p.message))


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates nearest to ``word``, best first (case-insensitive)."""
    pool = sorted(set(candidates))
    lowered = {c.lower(): c for c in pool}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[f] for f in found]


def suggestion(word: str, candidates: Iterable[str], n: int = 3) -> str:
    """``"; did you mean 'x'?"`` or an empty string when nothing is close."""
    near = closest(word, candidates, n)
    if not near:
        return ""
    if len(near) == 1:
        return f"; did you mean '{near[0]}'?"
    return "; did you mean " + ", ".join(f"'{c}'" for c in near[:-1]) + f" or '{near[-1]}'?"


def to_json(problems: Sequence[Problem]) -> str:
    return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2)
