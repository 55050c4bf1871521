"""Dates for the expression functions: CDate parsing, .NET formats, FILETIME.

The engine is .NET: ``CDate`` accepts what ``DateTime.Parse`` accepts in the
en-US culture (we take the common shapes), ``FormatDateTime`` takes .NET custom
format strings, and AD stores times as FILETIME (100 ns ticks since 1601).
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

from generator.expressions.values import EvalError

FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)

_DATE = re.compile(
    r"""^\s*
    (?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})
      |(?P<m2>\d{1,2})/(?P<d2>\d{1,2})/(?P<y2>\d{4})
      |(?P<y3>\d{4})(?P<m3>\d{2})(?P<d3>\d{2})(?=\d{6}))
    (?:(?:T|\s+|(?<=\d{8}))
      (?P<H>\d{1,2}):?(?P<M>\d{2})(?::?(?P<S>\d{2})(?:\.(?P<F>\d{1,7}))?)?
      \s*(?P<ampm>[AP]M)?)?
    \s*(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_date(text: str) -> datetime:
    """``CDate``: a date, optional time and optional zone, returned in UTC.

    A time without a zone is taken as UTC (the preview runs off the server).
    """
    found = _DATE.match(text)
    if found is None:
        raise EvalError(f"CDate cannot read {text!r} as a date")
    part = found.groupdict()
    year = int(part["y"] or part["y2"] or part["y3"])
    month = int(part["m"] or part["m2"] or part["m3"])
    day = int(part["d"] or part["d2"] or part["d3"])
    hour, minute = int(part["H"] or 0), int(part["M"] or 0)
    second = int(part["S"] or 0)
    micro = int((part["F"] or "0").ljust(7, "0")[:6])
    hour = _twelve_hour(hour, part["ampm"], text)
    try:
        local = datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError as error:
        raise EvalError(f"CDate cannot read {text!r} as a date: {error}") from None
    return local - _zone(part["tz"])


def _twelve_hour(hour: int, ampm: str | None, text: str) -> int:
    if ampm is None:
        return hour
    if not 1 <= hour <= 12:
        raise EvalError(f"CDate cannot read {text!r}: hour {hour} with {ampm}")
    return hour % 12 + (12 if ampm.upper() == "PM" else 0)


def _zone(text: str | None) -> timedelta:
    if text is None or text.upper() == "Z":
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def is_date(text: str) -> bool:
    """Whether ``CDate`` would read ``text``."""
    try:
        parse_date(text)
    except EvalError:
        return False
    return True


def from_filetime(ticks: int) -> datetime:
    """``DateFromNum``: FILETIME (100 ns ticks since 1601-01-01 UTC) to a date."""
    try:
        return FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    except OverflowError:
        raise EvalError(f"DateFromNum: {ticks} is outside the range of dates") from None


def to_filetime(moment: datetime) -> int:
    """``NumFromDate``: a date to FILETIME ticks."""
    delta = moment - FILETIME_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def add(interval: str, count: int, moment: datetime) -> datetime:
    """``DateAdd`` with VBA's interval letters."""
    months = {"yyyy": 12, "q": 3, "m": 1}
    if interval in months:
        return _add_months(moment, count * months[interval])
    spans = {
        "y": timedelta(days=1),
        "d": timedelta(days=1),
        "w": timedelta(days=1),
        "ww": timedelta(weeks=1),
        "h": timedelta(hours=1),
        "n": timedelta(minutes=1),
        "s": timedelta(seconds=1),
    }
    if interval not in spans:
        raise EvalError(
            f"DateAdd: unknown interval {interval!r} (use yyyy q m y d w ww h n s)"
        )
    try:
        return moment + count * spans[interval]
    except OverflowError:
        raise EvalError("DateAdd: the result is outside the range of dates") from None


def _add_months(moment: datetime, months: int) -> datetime:
    """.NET AddMonths: the day is clamped to the length of the target month."""
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise EvalError("DateAdd: the result is outside the range of dates")
    last = calendar.monthrange(year, month + 1)[1]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last))


_STANDARD = {
    "d": "M/d/yyyy",
    "D": "dddd, MMMM d, yyyy",
    "f": "dddd, MMMM d, yyyy h:mm tt",
    "F": "dddd, MMMM d, yyyy h:mm:ss tt",
    "g": "M/d/yyyy h:mm tt",
    "G": "M/d/yyyy h:mm:ss tt",
    "M": "MMMM d",
    "m": "MMMM d",
    "o": "yyyy-MM-ddTHH:mm:ss.fffffffK",
    "O": "yyyy-MM-ddTHH:mm:ss.fffffffK",
    "r": "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
    "s": "yyyy-MM-ddTHH:mm:ss",
    "t": "h:mm tt",
    "T": "h:mm:ss tt",
    "u": "yyyy-MM-dd HH:mm:ss'Z'",
    "y": "MMMM yyyy",
    "Y": "MMMM yyyy",
}
_FIELD = re.compile(r"'[^']*'|\"[^\"]*\"|\\.|%?([yMdHhmsfFtzK])\1*|.", re.DOTALL)


def format_date(moment: datetime, pattern: str) -> str:
    """``FormatDateTime`` with a .NET custom (or one-letter standard) format."""
    if len(pattern) == 1:
        if pattern not in _STANDARD:
            raise EvalError(f"FormatDateTime: unknown standard format {pattern!r}")
        pattern = _STANDARD[pattern]
    return "".join(_field(moment, m.group(0)) for m in _FIELD.finditer(pattern))


def _field(moment: datetime, token: str) -> str:
    if token[0] in "'\"":
        return token[1:-1]
    if token[0] == "\\":
        return token[1:]
    token = token.lstrip("%") or token
    letter, width = token[0], len(token)
    if letter in "yMdHhms":
        return _number_field(moment, letter, width)
    if letter in "fF":
        digits = f"{moment.microsecond:06d}0"[:width]
        return digits.rstrip("0") if letter == "F" else digits
    if letter == "t":
        marker = "AM" if moment.hour < 12 else "PM"
        return marker[:width]
    if letter in "zK":
        return _zone_field(moment, letter, width)
    return token


def _number_field(moment: datetime, letter: str, width: int) -> str:
    if letter == "y":
        year = moment.year if width > 2 else moment.year % 100
        return f"{year:0{width}d}"
    if letter == "M" and width >= 3:
        name = calendar.month_name[moment.month]
        return name if width >= 4 else name[:3]
    if letter == "d" and width >= 3:
        name = calendar.day_name[moment.weekday()]
        return name if width >= 4 else name[:3]
    value = {
        "M": moment.month,
        "d": moment.day,
        "H": moment.hour,
        "h": moment.hour % 12 or 12,
        "m": moment.minute,
        "s": moment.second,
    }[letter]
    return f"{value:0{min(width, 2)}d}"


def _zone_field(moment: datetime, letter: str, width: int) -> str:
    offset = moment.utcoffset() or timedelta(0)
    if letter == "K":
        return "Z" if offset == timedelta(0) else _offset_text(offset, 3)
    return _offset_text(offset, width)


def _offset_text(offset: timedelta, width: int) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    if width == 1:
        return f"{sign}{hours}"
    if width == 2:
        return f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}:{rest:02d}"
