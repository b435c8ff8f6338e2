"""Dates as Hurl handles them: chrono's formats, RFC 3339 checked strictly, always UTC.

Hurl parses (`toDate`) and prints (`dateFormat`, `format`) dates with chrono's strftime
specifiers, and its dates are UTC (a parsed offset is converted, as to_date.rs does).
Python's strptime/strftime differ from chrono (`%f` is nanoseconds in chrono, `%.f`,
`%:z` and `%+` do not exist in Python, `%y` pivots elsewhere), so both directions are
written here for the specifiers in SPECIFIERS; any other one is an error naming it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# Specifiers that stand for others (chrono's documentation).
_ALIASES = {"T": "%H:%M:%S", "F": "%Y-%m-%d", "D": "%m/%d/%y", "R": "%H:%M", "h": "%b",
            "c": "%a %b %e %H:%M:%S %Y", "x": "%m/%d/%y", "X": "%H:%M:%S", "r": "%I:%M:%S %p"}
# Every specifier restcli reads and writes (README lists them); `%.f`-style ones are
# spelled with their prefix.
SPECIFIERS = ("Y", "C", "y", "m", "b", "B", "d", "e", "a", "A", "j", "u", "w", "H", "k",
              "I", "l", "M", "S", "p", "P", "f", ".f", ".3f", ".6f", ".9f", "3f", "6f",
              "9f", "z", ":z", "Z", "s", "+", "n", "t", "%", *_ALIASES)
_PRINT_ONLY = ("j", "u", "w")  # day of the year and of the week: printed, never read
_TOKEN = re.compile(r"%([-_0]?)(\.[369]?f|[369]f|:z|.?)", re.DOTALL)

_RFC3339 = re.compile(
    r"(?P<Y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[Tt ](?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})"
    r"(?:\.(?P<frac>\d+))?(?P<tz>[Zz]|[+-]\d{2}:\d{2})")


class DateError(ValueError):
    """A date that does not parse with its format, or a format restcli cannot use."""


def parse_rfc3339(text: str) -> datetime | None:
    """The UTC date of an RFC 3339 date-time, or None: the date must exist (no February 30)
    and times be in range, a leap second (:60) allowed as chrono allows it."""
    m = _RFC3339.fullmatch(text)
    if not m:
        return None
    fields = {k: int(v) for k, v in m.groupdict().items() if k not in ("frac", "tz")}
    fields["nano"] = int((m.group("frac") or "0")[:9].ljust(9, "0"))
    tz = m.group("tz")
    fields["offset"] = 0 if tz in "Zz" else _offset_seconds(tz)
    return _build(fields)


def _offset_seconds(text: str) -> int | None:
    """`+hh:mm`, `+hhmm` (or `+hh mm`) as seconds east of UTC; None out of range."""
    m = re.fullmatch(r"([+-])(\d{2})[: ]?(\d{2})", text)
    if not m or int(m.group(2)) > 23 or int(m.group(3)) > 59:
        return None
    seconds = int(m.group(2)) * 3600 + int(m.group(3)) * 60
    return -seconds if m.group(1) == "-" else seconds


def _build(f: dict) -> datetime | None:
    """A UTC datetime from parsed fields, or None when they name no real instant."""
    if f.get("offset", 0) is None:
        return None
    try:
        day = date(f["Y"], f["m"], f["d"])
    except (KeyError, ValueError):
        return None
    hour, minute, second = f.get("H", 0), f.get("M", 0), f.get("S", 0)
    if hour > 23 or minute > 59 or second > 60:
        return None
    leap = second == 60  # chrono keeps it as 59 s plus a second of nanoseconds
    moment = datetime(day.year, day.month, day.day, hour, minute, 59 if leap else second,
                      f.get("nano", 0) // 1000, tzinfo=UTC)
    return moment + timedelta(seconds=1 if leap else 0) - timedelta(seconds=f.get("offset", 0))


def to_date(text: str, fmt: str) -> datetime:
    """`toDate`, as to_date.rs: a date, time and offset; else a date and time (UTC); else a
    date alone, at midnight UTC (chrono then ignores a parsed time and offset)."""
    fields = _Reader(text, fmt).read()
    if "timestamp" in fields:
        return datetime.fromtimestamp(fields["timestamp"], UTC)
    found = None
    if {"Y", "m", "d"} <= fields.keys():
        if "H" not in fields or "M" not in fields:
            fields = {k: fields[k] for k in ("Y", "m", "d", "weekday") if k in fields}
        found = _build(fields)
    if found is None or not _weekday_holds(fields):
        raise DateError(f"value <{text}> could not be parsed with <{fmt}> format")
    return found


def _weekday_holds(fields: dict) -> bool:
    # chrono checks a parsed weekday against the date as written (before any offset).
    if "weekday" not in fields:
        return True
    return date(fields["Y"], fields["m"], fields["d"]).weekday() == fields["weekday"]


class _Reader:
    """chrono's parser for one format: numbers take 1 to their width of digits, a space in
    the format takes any whitespace, names are matched without regard to case."""

    def __init__(self, text: str, fmt: str):
        self.text, self.fmt, self.i = text, fmt, 0
        self.fields: dict = {}

    def fail(self) -> DateError:
        return DateError(f"value <{self.text}> could not be parsed with <{self.fmt}> format")

    def read(self) -> dict:
        for literal, spec in _tokens(_expand_aliases(self.fmt)):
            if spec is None:
                self.literal(literal)
            else:
                self.field(spec)
        if self.i != len(self.text):
            raise self.fail()
        f = self.fields
        limits = {"H": 23, "M": 59, "S": 60, "m": 12, "d": 31, "I": 12}
        if any(f.get(k, 0) > top for k, top in limits.items()) or f.get("I") == 0:
            raise self.fail()  # chrono refuses a field out of range as it reads it
        if "pm" in f and "I" in f:
            f["H"] = f.pop("I") % 12 + (12 if f["pm"] else 0)
        if "y" in f and "Y" not in f:
            century = f.get("C", 20 if f["y"] < 70 else 19)  # chrono's pivot: 1970-2069
            f["Y"] = century * 100 + f["y"]
        return f

    def literal(self, text: str) -> None:
        for ch in text:
            if ch.isspace():
                while self.i < len(self.text) and self.text[self.i].isspace():
                    self.i += 1
            elif self.text.startswith(ch, self.i):
                self.i += 1
            else:
                raise self.fail()

    def take(self, pattern: str) -> str:
        m = re.compile(pattern).match(self.text, self.i)
        if not m:
            raise self.fail()
        self.i = m.end()
        return m.group(0)

    def field(self, spec: str) -> None:
        widths = {"Y": 4, "C": 2, "y": 2, "m": 2, "d": 2, "e": 2, "H": 2, "k": 2, "I": 2,
                  "l": 2, "M": 2, "S": 2}
        if spec in widths:
            self.take(r"\s*")
            if spec == "Y" and self.text[self.i:self.i + 1] in ("+", "-"):
                value = int(self.take(r"[+-]\d+"))
            else:
                value = int(self.take(rf"\d{{1,{widths[spec]}}}"))
            key = {"e": "d", "k": "H", "l": "I"}.get(spec, spec)
            self.fields[key] = value
        else:
            self.special(spec)

    def special(self, spec: str) -> None:
        f = self.fields
        if spec in ("a", "A"):
            f["weekday"] = self.name(WEEKDAYS, spec == "A")
        elif spec in ("b", "B"):
            f["m"] = self.name(MONTHS, spec == "B") + 1
        elif spec in ("p", "P"):
            f["pm"] = self.take(r"(?i)[ap]m").lower() == "pm"
        elif spec in (".f", ".3f", ".6f", ".9f", "3f", "6f", "9f", "f"):
            self.fraction(spec)
        elif spec in ("z", ":z"):
            f["offset"] = _offset_seconds(self.take(r"[+-]\d{2}[: ]?\d{2}"))
        elif spec == "Z":
            self.take(r"[^\s]*")  # chrono skips a zone name: it cannot be resolved
        elif spec == "s":
            f["timestamp"] = int(self.take(r"[+-]?\d+"))
        elif spec == "+":
            found = parse_rfc3339(self.take(r"\S+"))
            if found is None:
                raise self.fail()
            f.update(Y=found.year, m=found.month, d=found.day, H=found.hour, M=found.minute,
                     S=found.second, nano=found.microsecond * 1000, offset=0)
        elif spec in _PRINT_ONLY:
            raise DateError(f"date format specifier %{spec} is not supported by restcli "
                            "for toDate")
        else:
            self.literal({"n": "\n", "t": "\t", "%": "%"}[spec])

    def name(self, names: tuple[str, ...], long_too: bool) -> int:
        rest = self.text[self.i:].lower()
        for index, full in enumerate(names):
            for form in ((full, full[:3]) if long_too else (full[:3],)):
                if rest.startswith(form.lower()):
                    self.i += len(form)
                    return index
        raise self.fail()

    def fraction(self, spec: str) -> None:
        if spec == "f":  # chrono: %f is a number of nanoseconds, up to 9 digits
            self.fields["nano"] = int(self.take(r"\d{1,9}"))
            return
        if spec == ".f" and not self.text.startswith(".", self.i):
            return  # `%.f` reads nothing when no fraction follows
        if spec.startswith("."):
            self.take(r"\.")
        digits = spec.strip(".f")
        taken = self.take(rf"\d{{{digits}}}" if digits else r"\d+")
        self.fields["nano"] = int(taken[:9].ljust(9, "0"))


def _expand_aliases(fmt: str) -> str:
    return _TOKEN.sub(lambda m: _ALIASES.get(m.group(2), m.group(0)), fmt)


def _tokens(fmt: str):
    """(literal, None) and ("", specifier) pieces of a format; an unknown specifier raises."""
    pos = 0
    for m in _TOKEN.finditer(fmt):
        if m.start() > pos:
            yield fmt[pos:m.start()], None
        spec = m.group(2)
        if not spec:
            raise DateError(f"invalid date format {fmt!r}: a % with no specifier after it")
        if spec not in SPECIFIERS:
            raise DateError(f"date format specifier %{m.group(1)}{spec} is not supported "
                            "by restcli")
        yield m.group(1), spec
        pos = m.end()
    if pos < len(fmt):
        yield fmt[pos:], None


def format_date(moment: datetime, fmt: str) -> str:
    """`dateFormat`/`format`: chrono's output for a UTC date (English names, `%Z` UTC)."""
    moment = moment.astimezone(UTC)
    out: list[str] = []
    for piece, spec in _tokens(_expand_aliases(fmt)):
        out.append(piece if spec is None else _render(moment, spec, piece))
    return "".join(out)


def _render(d: datetime, spec: str, pad: str) -> str:
    numbers = {"Y": (d.year, 4), "C": (d.year // 100, 2), "y": (d.year % 100, 2),
               "m": (d.month, 2), "d": (d.day, 2), "e": (d.day, -2), "j": (d.timetuple().tm_yday, 3),
               "H": (d.hour, 2), "k": (d.hour, -2), "I": ((d.hour + 11) % 12 + 1, 2),
               "l": ((d.hour + 11) % 12 + 1, -2), "M": (d.minute, 2), "S": (d.second, 2),
               "u": (d.isoweekday(), 1), "w": (d.isoweekday() % 7, 1)}
    if spec in numbers:
        value, width = numbers[spec]
        return _pad(value, abs(width), "_" if width < 0 and not pad else pad)
    nano = d.microsecond * 1000
    texts = {
        "a": WEEKDAYS[d.weekday()][:3], "A": WEEKDAYS[d.weekday()],
        "b": MONTHS[d.month - 1][:3], "B": MONTHS[d.month - 1],
        "p": "PM" if d.hour >= 12 else "AM", "P": "pm" if d.hour >= 12 else "am",
        "f": f"{nano:09d}", ".f": _auto_fraction(nano), "z": "+0000", ":z": "+00:00",
        "Z": "UTC", "s": str(int(d.timestamp())), "n": "\n", "t": "\t", "%": "%",
        "+": (f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:"
              f"{d.second:02d}{_auto_fraction(nano)}+00:00"),
    }
    if spec in texts:
        return texts[spec]
    digits = int(spec.strip(".f"))  # %.3f, %6f...
    shown = f"{nano:09d}"[:digits]
    return "." + shown if spec.startswith(".") else shown


def _pad(value: int, width: int, pad: str) -> str:
    if pad == "-":
        return str(value)
    if pad == "_":
        return str(value).rjust(width)
    return f"{value:0{width}d}"


def _auto_fraction(nano: int) -> str:
    """chrono's `%.f` when printing: nothing for a whole second, else 3, 6 or 9 digits."""
    if nano == 0:
        return ""
    for digits in (3, 6, 9):
        if nano % 10 ** (9 - digits) == 0:
            return "." + f"{nano:09d}"[:digits]
    return ""
