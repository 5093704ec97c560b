"""Search as people type: accents, case, apostrophes and spaces inside names do not matter."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from story import NUMBER, at, entry

from grantbook.domain import Institution
from grantbook.domain.matching import name_matches, search_key


def school(*names: tuple[str, str]) -> Institution:
    institution = Institution.register(at(0), NUMBER, "De Linde", ["jan"])
    roster = [entry(f"9{i:04d}", first, last) for i, (first, last) in enumerate(names, start=1)]
    institution.import_roster(at(1), roster)
    return institution


def found(institution: Institution, search: str) -> list[str]:
    return [f"{p.first_name} {p.last_name}" for p in institution.staff(at(2), search)]


ROSTER = (
    ("Cécile", "Peeters"),
    ("Jan", "Peeters"),
    ("Els", "D'hondt"),
    ("Ward", "D\u2019hondt"),
    ("Lien", "Dhondt"),
    ("Tom", "Van den Broeck"),
    ("Jean-Pierre", "Smet"),
    ("Søren", "Ørsted"),
)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("cecile", ["Cécile Peeters"]),
        ("CÉCILE", ["Cécile Peeters"]),
        ("Ce\u0301cile", ["Cécile Peeters"]),  # typed decomposed (NFD)
        ("dhondt", ["Els D'hondt", "Ward D\u2019hondt", "Lien Dhondt"]),
        ("d'hondt", ["Els D'hondt", "Ward D\u2019hondt", "Lien Dhondt"]),
        ("d\u2019hondt", ["Els D'hondt", "Ward D\u2019hondt", "Lien Dhondt"]),
        ("D`Hondt", ["Els D'hondt", "Ward D\u2019hondt", "Lien Dhondt"]),
        ("d\u02bchondt", ["Els D'hondt", "Ward D\u2019hondt", "Lien Dhondt"]),
        ("d\u00b4hondt", ["Els D'hondt", "Ward D\u2019hondt", "Lien Dhondt"]),
        ("peeters jan", ["Jan Peeters"]),
        ("jan peeters", ["Jan Peeters"]),
        ("peeters", ["Cécile Peeters", "Jan Peeters"]),
        ("vandenbroeck", ["Tom Van den Broeck"]),
        ("van den broeck", ["Tom Van den Broeck"]),
        ("jean pierre", ["Jean-Pierre Smet"]),
        ("jeanpierre", ["Jean-Pierre Smet"]),
        ("soren orsted", ["Søren Ørsted"]),
        ("xyz", []),
    ],
)
def test_search_finds_names_as_people_type_them(search: str, expected: list[str]) -> None:
    assert sorted(found(school(*ROSTER), search)) == sorted(expected)


def test_names_stored_decomposed_are_found_too() -> None:
    """Old events may hold NFD names: the key is the same for both forms."""
    assert search_key(unicodedata.normalize("NFD", "Cécile")) == search_key("Cécile") == "cecile"


def test_an_empty_search_or_one_without_letters_lists_everyone() -> None:
    institution = school(*ROSTER)
    assert len(found(institution, "")) == len(ROSTER)
    assert len(found(institution, "'")) == len(ROSTER)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


NAME = st.text(
    alphabet=st.characters(categories=("L", "Zs", "Pd"), include_characters="'\u2019`"),
    min_size=1,
    max_size=30,
).map(lambda s: unicodedata.normalize("NFC", s).strip())


@given(first=NAME, last=NAME)
def test_any_name_is_found_by_itself_its_uppercase_and_its_plain_letters(first: str, last: str) -> None:
    for search in (
        first,
        last,
        f"{first} {last}",
        f"{last} {first}",
        first.upper(),
        last.lower(),
        strip_accents(last),
        unicodedata.normalize("NFD", first),
        search_key(last),
    ):
        assert name_matches(search, first, last), search


@given(text=st.text(max_size=40))
def test_the_key_is_stable_and_holds_only_letters_and_digits(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert all(c.isalnum() for c in key)
    assert (
        key
        == search_key(unicodedata.normalize("NFC", text))
        == search_key(unicodedata.normalize("NFD", text))
    )


def test_a_greek_letter_with_an_iota_subscript_is_found_by_its_plain_letter() -> None:
    """Found by hypothesis: casefolding turns the iota subscript (U+0345) into a letter, so the
    name is found both by its plain letters and by its capitals (where the subscript is an Ι)."""
    assert name_matches("αA", "A", "ᾀA")
    assert name_matches("Αθηνα", "Ἀθηνᾷ", "Παπα")
    assert name_matches("ῲ".upper(), "ῲ", "A") and name_matches("ω", "ῲ", "A")
