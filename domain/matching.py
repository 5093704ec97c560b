"""Finding a person by what someone types: the key two names are compared by.

People type names the way they say them: without accents (``cecile`` for
Cécile), in any case, without the apostrophe or with another one than the
roster has (``dhondt``, ``d'hondt`` for D’hondt), and with or without the
spaces and hyphens inside a name (``vandenbroeck`` for Van den Broeck,
``jean pierre`` for Jean-Pierre). So a name and a search are compared by their
:func:`search_key`: only their letters and digits, without accents, casefolded.
A search matches when its key is part of the key of "first last" or of
"last first" (``peeters jan`` and ``jan peeters`` both find Jan Peeters).

A search with no letter or digit at all (``'``) has an empty key and matches
everyone, as an empty search does.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Letters NFKD does not take apart into a base letter and an accent, but that people type
# as the plain letter (Søren as soren, Łukasz as lukasz); casefold already gives ß -> ss.
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ŀ": "l"}
    # apostrophes Unicode counts as letters (ʼ U+02BC, ʻ U+02BB, ...): dropped like ' and ’
    | dict.fromkeys("\u02b9\u02bb\u02bc\u02bd\u02be\u02bf", "")
)
_MARKS = frozenset({"Mn", "Mc", "Me"})


@lru_cache(maxsize=65_536)
def search_key(text: str) -> str:
    """``text`` as searches compare it: its letters and digits only (spaces, hyphens,
    apostrophes and quotes of every kind dropped), without accents, casefolded."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return _letters(folded)


@lru_cache(maxsize=65_536)
def _unmarked_key(text: str) -> str:
    """``search_key`` with the accents dropped before casefolding: casefold turns one of them into a
    letter (the Greek iota subscript, U+0345, becomes ι), so "ᾀ" is "αι" there and "α" here; a name
    is found by either (its capitals "ἈΙ", its plain letters "α")."""
    decomposed = unicodedata.normalize("NFKD", text)
    unmarked = "".join(c for c in decomposed if unicodedata.category(c) not in _MARKS)
    return _letters(unicodedata.normalize("NFKD", unmarked.casefold()))


def _letters(folded: str) -> str:
    plain = folded.translate(_PLAIN_LETTERS)
    return "".join(c for c in plain if c.isalnum() and unicodedata.category(c) not in _MARKS)


def name_matches(search: str, first_name: str, last_name: str) -> bool:
    """Whether ``search`` finds the person called ``first_name last_name``."""
    needle = search_key(search)
    return any(
        needle in key(name)
        for name in (f"{first_name} {last_name}", f"{last_name} {first_name}")
        for key in (search_key, _unmarked_key)
    )
