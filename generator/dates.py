"""Partial dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) that keep their precision."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import IntEnum

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Precision(IntEnum):
    YEAR = 1
    MONTH = 2
    DAY = 3


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day.

    Ordering compares the earliest day each date can mean, then precision, so
    ``2024`` sorts before ``2024-01`` before ``2024-01-01``.
    """

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> Precision:
        if self.day:
            return Precision.DAY
        if self.month:
            return Precision.MONTH
        return Precision.YEAR

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Parse a YAML value; raise ``ValueError`` with a message for people."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, bool) or value is None:
            raise ValueError(f"expected a date such as 2024, 2024-09 or 2024-09-27, got {value!r}")
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        text = str(value).strip()
        match = _DATE_RE.match(text)
        if not match:
            raise ValueError(
                f"'{text}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (for example 2024-09-27)"
            )
        year = int(match.group(1))
        month = int(match.group(2) or 0)
        day = int(match.group(3) or 0)
        if match.group(2) is not None and not 1 <= month <= 12:
            raise ValueError(f"'{text}' is not a date: there is no month {month:02d}")
        if match.group(3) is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(
                    f"'{text}' is not a date: {calendar.month_name[month]} {year} has {last} days"
                )
        return cls(year, month, day)

    def iso(self) -> str:
        if self.precision is Precision.DAY:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.precision is Precision.MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def human(self) -> str:
        """``2024``, ``September 2024`` or ``27 September 2024``."""
        if self.precision is Precision.DAY:
            return f"{self.day} {calendar.month_name[self.month]} {self.year}"
        if self.precision is Precision.MONTH:
            return f"{calendar.month_name[self.month]} {self.year}"
        return str(self.year)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def __str__(self) -> str:
        return self.iso()


def human_span(start: PartialDate, end: PartialDate | None) -> str:
    """A readable span: ``24–30 September 2024``, ``May – August 2021``."""
    if end is None or end == start:
        return start.human()
    if start.precision is end.precision is Precision.DAY and (start.year, start.month) == (
        end.year,
        end.month,
    ):
        return f"{start.day}–{end.day} {calendar.month_name[end.month]} {end.year}"
    return f"{start.human()} – {end.human()}"
