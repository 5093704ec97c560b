"""Belgian national register numbers (rijksregisternummer) and bis numbers.

Personal data: the digits live only inside :class:`NationalNumber`, whose
``repr``/``str`` are masked, so the number cannot leak through a log line,
an error message or a traceback. A refusal says what is wrong (not digits,
how many digits, check digits, an impossible date of birth) without ever
quoting the number beyond its two check digits.

The rules are python-stdnum's (``stdnum.be.nn``, ``stdnum.be.bis``),
written out here because stdnum reads the clock to tell the centuries apart
and the domain never does: whoever parses passes ``today``.
"""

from __future__ import annotations

import calendar
from datetime import date

from . import rules
from .rules import RuleViolation

_SEPARATORS = " .-/"
_UNKNOWN_BIRTH_DATES = ("000001", "002001", "004001")


def mask(digits: str) -> str:
    """Show only the two check digits, in the identity-card layout."""
    tail = digits[-2:] if len(digits) >= 2 else "**"
    return f"**.**.**-***.{tail}"


def looks_like_national_number(text: str) -> bool:
    """11 digits (separators aside) whose check digits match: never echoed, never an id."""
    compact = "".join(ch for ch in text.strip() if ch not in _SEPARATORS)
    if len(compact) != 11 or not (compact.isascii() and compact.isdigit()):
        return False
    check = int(compact[9:])
    return check in (97 - int(compact[:9]) % 97, 97 - int("2" + compact[:9]) % 97)


def number_candidates(text: str) -> list[str]:
    """The whole text, and each run of digits with dots, dashes, slashes or spaces in it."""
    runs, current = [text], ""
    for char in text + "x":
        if char.isdigit() or (current and char in _SEPARATORS):
            current += char
        else:
            if current:
                runs.append(current)
            current = ""
    return runs


def _found_in(run: str) -> str | None:
    """The 11 digits of a national register number in a run of digits and separators, if any: the run
    itself, or any 11 digits in a row of it (a number typed against another one)."""
    if looks_like_national_number(run):
        return "".join(ch for ch in run if ch.isdigit())
    digits = "".join(ch for ch in run if ch.isdigit())
    for start in range(len(digits) - 10):
        if looks_like_national_number(digits[start : start + 11]):
            return digits[start : start + 11]
    return None


def contains_national_number(text: str) -> bool:
    """Whether ``text`` is, or holds, something that looks like a national register number (with or
    without dots, dashes, slashes and spaces): a search text must never be one, as it is recorded."""
    whole, *runs = number_candidates(text)
    return looks_like_national_number(whole) or any(_found_in(run) for run in runs)


def mask_national_numbers(text: str) -> str:
    """``text`` with every run of digits that holds a national register number masked (old recorded
    searches, as shown): the identity-card mask, which keeps only the two check digits."""
    if looks_like_national_number(text):
        return mask("".join(ch for ch in text if ch.isdigit()))
    for part in sorted(number_candidates(text)[1:], key=len, reverse=True):
        found = _found_in(part)
        if found is not None:
            text = text.replace(part.strip(_SEPARATORS), mask(found))
    return text


def _refuse(problem: str) -> RuleViolation:
    return RuleViolation(rules.NATIONAL_NUMBER, problem)


def _century(digits: str, today: date | None) -> int:
    """1900 or 2000: the century whose check digits match (stdnum's rule)."""
    check = int(digits[9:])
    if 97 - int(digits[:9]) % 97 == check:
        return 1900
    born_2000s = today is None or 2000 + int(digits[:2]) <= today.year
    if born_2000s and 97 - int("2" + digits[:9]) % 97 == check:
        return 2000
    raise _refuse(
        f"check digits do not match for {mask(digits)}: "
        "not a valid national register number or bis number (a typing mistake?)"
    )


def _check_birth_date(digits: str, century: int, today: date | None) -> None:
    """Month 1-12 (plus 20 or 40 for a bis number, 0 when unknown); not after today."""
    if digits[:6] in _UNKNOWN_BIRTH_DATES:
        return
    code = int(digits[2:4])
    if not (0 <= code <= 12 or 20 <= code <= 32 or 40 <= code <= 52):
        raise _refuse(f"the date of birth in {mask(digits)} is impossible: it has no such month")
    year, month, day = century + int(digits[:2]), code % 20, int(digits[4:6])
    if today is None:
        return
    if month == 0:
        born = date(year, 1, 1)
    elif day == 0 or day > calendar.monthrange(year, month)[1]:
        born = date(year, month, 1)
    else:
        born = date(year, month, day)
    if born > today:
        raise _refuse(f"the date of birth in {mask(digits)} is impossible: it lies after today")


class NationalNumber:
    """A validated national register number or bis number."""

    __slots__ = ("_digits", "kind")

    def __init__(self, digits: str, kind: str) -> None:
        self._digits = digits
        self.kind = kind

    @classmethod
    def parse(cls, text: str, today: date | None = None) -> NationalNumber:
        """``today`` (a date, never read from a clock) refuses a date of birth after it."""
        compact = "".join(ch for ch in text.strip() if ch not in _SEPARATORS)
        if not (compact.isascii() and compact.isdigit()):
            raise _refuse(
                "a national register number is written with digits only "
                "(separators . - / and spaces are ignored); this one holds another character"
            )
        if len(compact) != 11:
            raise _refuse(f"a national register number has 11 digits, this one has {len(compact)}")
        if int(compact) == 0:
            raise _refuse("a national register number is not all zeros")
        century = _century(compact, today)
        _check_birth_date(compact, century, today)
        kind = "rrn" if int(compact[2:4]) <= 12 else "bis"
        return cls(compact, kind)

    def reveal(self) -> str:
        """The full digits, for encryption and keyed hashing only."""
        return self._digits

    @property
    def masked(self) -> str:
        return mask(self._digits)

    def __repr__(self) -> str:
        return f"NationalNumber({self.masked})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NationalNumber) and other._digits == self._digits

    def __hash__(self) -> int:
        return hash(self._digits)
