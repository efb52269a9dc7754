"""Partial dates keep their precision; impossible dates are refused with a reason."""

import datetime as dt

import pytest

from generator.dates import PartialDate, Precision, human_span


@pytest.mark.parametrize(
    ("value", "iso", "human", "precision"),
    [
        ("2024", "2024", "2024", Precision.YEAR),
        (2024, "2024", "2024", Precision.YEAR),
        ("2024-09", "2024-09", "September 2024", Precision.MONTH),
        ("2024-09-27", "2024-09-27", "27 September 2024", Precision.DAY),
        (dt.date(2021, 9, 16), "2021-09-16", "16 September 2021", Precision.DAY),
        ("2024-02-29", "2024-02-29", "29 February 2024", Precision.DAY),
        (" 2021-10 ", "2021-10", "October 2021", Precision.MONTH),
    ],
)
def test_parse_keeps_precision(value: object, iso: str, human: str, precision: Precision) -> None:
    date = PartialDate.parse(value)
    assert date.iso() == iso
    assert date.human() == human
    assert date.precision is precision


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2021-02-30", "February 2021 has 28 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("2021-13", "no month 13"),
        ("2021-00-10", "no month 00"),
        ("2021-04-31", "April 2021 has 30 days"),
        ("21-04-01", "is not a date"),
        ("yesterday", "is not a date"),
        ("2024/09/27", "is not a date"),
        (True, "expected a date"),
        (None, "expected a date"),
    ],
)
def test_impossible_dates_are_refused(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        PartialDate.parse(value)


def test_order_puts_coarser_dates_first_within_their_span() -> None:
    dates = [PartialDate.parse(v) for v in ["2024-09-27", "2024", "2024-09", "2023-12-31", "2024-01-01"]]
    assert [d.iso() for d in sorted(dates)] == ["2023-12-31", "2024", "2024-01-01", "2024-09", "2024-09-27"]


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ("2024-09-24", "2024-09-30", "24–30 September 2024"),
        ("2021-05-01", "2021-08-30", "1 May 2021 – 30 August 2021"),
        ("2021-05", "2021-08", "May 2021 – August 2021"),
        ("2021", None, "2021"),
    ],
)
def test_spans(start: str, end: str | None, shown: str) -> None:
    assert human_span(PartialDate.parse(start), PartialDate.parse(end) if end else None) == shown


def test_month_spans_whole_month() -> None:
    month = PartialDate.parse("2024-02")
    assert month.first_day() == dt.date(2024, 2, 1)
    assert month.last_day() == dt.date(2024, 2, 29)
