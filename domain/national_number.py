"""Belgian national register numbers (rijksregisternummer) and bis numbers.

Personal data: the digits live only inside :class:`NationalNumber`, whose
``repr``/``str`` are masked, so the number cannot leak through a log line,
an error message or a traceback. The check digits are verified by
``python-stdnum``.
"""

from __future__ import annotations

from stdnum.be import bis, nn
from stdnum.exceptions import ValidationError

from . import rules
from .rules import RuleViolation

_SEPARATORS = " .-/\t"


def mask(digits: str) -> str:
    """Show only the two check digits, in the identity-card layout."""
    tail = digits[-2:] if len(digits) >= 2 else "**"
    return f"**.**.**-***.{tail}"


class NationalNumber:
    """A validated national register number or bis number."""

    __slots__ = ("_digits", "kind")

    def __init__(self, digits: str, kind: str) -> None:
        self._digits = digits
        self.kind = kind

    @classmethod
    def parse(cls, text: str) -> NationalNumber:
        compact = "".join(ch for ch in text if ch not in _SEPARATORS)
        if not compact.isdigit() or len(compact) != 11:
            raise RuleViolation(
                rules.NATIONAL_NUMBER,
                "a national register number has 11 digits "
                f"(separators . - and spaces are ignored), got {len(compact)} characters",
            )
        for kind, module in (("rrn", nn), ("bis", bis)):
            try:
                module.validate(compact)
            except ValidationError:
                continue
            return cls(compact, kind)
        raise RuleViolation(
            rules.NATIONAL_NUMBER,
            f"check digits do not match for {mask(compact)}: "
            "not a valid national register number or bis number",
        )

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
