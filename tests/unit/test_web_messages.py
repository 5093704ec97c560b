"""Refusals on the web pages in Dutch (web/messages.py, docs/adr/0011): every rule of domain/rules.py
has a decision (a Dutch sentence, or CLI-only), the sentences are fixed text, and a refusal shows the
Dutch sentence (with names and dd/mm/jjjj dates where the refusal has facts) and keeps the rule code
out of the visible text (data-rule)."""

from __future__ import annotations

from datetime import date

import pytest

from grantbook.domain import RuleViolation, rules
from grantbook.web import forms, pages_quick
from grantbook.web.forms import Problem
from grantbook.web.messages import CLI_ONLY, DAYS, DUTCH, REPEATED, REQUIRED, REQUIRED_DAY, SPECIFIC, VALUE, sentence
from grantbook.web.render import FIELD_OF_RULE, environment, refusal, shown

NOT_RULES = {"MAX_SELECTION", "MALFORMED"}  # a limit and a set of rules, not rule codes


def _rule_codes() -> dict[str, str]:
    """Every rule constant of domain/rules.py: its name and its code."""
    return {
        name: value
        for name, value in vars(rules).items()
        if name.isupper() and name not in NOT_RULES and isinstance(value, str)
    }


def test_the_constants_read_are_the_rule_codes() -> None:
    codes = _rule_codes()
    assert codes["MAXIMUM_VALIDITY"] == "maximum-validity" and "ASSIGNMENT_PENDING" in codes
    assert len(set(codes.values())) == len(codes)  # a code is never reused


def test_every_rule_has_a_decision_a_dutch_sentence_or_cli_only() -> None:
    """A rule added to domain/rules.py fails here until it gets a Dutch sentence in web/messages.py
    (it can reach a page) or is listed in ``CLI_ONLY`` (it cannot)."""
    undecided = {name for name, code in _rule_codes().items() if code not in DUTCH and code not in CLI_ONLY}
    assert not undecided, f"give these rules a Dutch sentence or list them as CLI-only: {sorted(undecided)}"


def test_no_rule_is_both_and_nothing_unknown_is_listed() -> None:
    codes = set(_rule_codes().values())
    assert not set(DUTCH) & CLI_ONLY
    assert CLI_ONLY <= codes
    assert set(DUTCH) <= codes | {DAYS, REPEATED, VALUE, REQUIRED, REQUIRED_DAY}  # the pages' own rules (web/forms.py)


def test_the_rules_the_pages_name_have_a_dutch_sentence() -> None:
    named = set(FIELD_OF_RULE) | set(pages_quick.FIELD_OF_RULE) | {DAYS, rules.DATE_RANGE}
    assert named <= set(DUTCH), sorted(named - set(DUTCH))


@pytest.mark.parametrize("rule", sorted(DUTCH))
def test_a_sentence_is_fixed_plain_dutch_text(rule: str) -> None:
    sentence = DUTCH[rule]
    assert sentence == sentence.strip() and sentence[0].isupper() and sentence.endswith(".")
    assert not any(c in sentence for c in "{}<>'\"\n"), "fixed text: no template, markup or quoted value"
    assert rule not in sentence  # the code is in the HTML's data-rule only


def test_the_days_sentence_names_the_reports_limit() -> None:
    assert f"tot {forms.MAX_DAYS}." in DUTCH[DAYS]


def test_a_refusal_shows_the_dutch_sentence_and_keeps_the_code_out_of_sight() -> None:
    error = RuleViolation(rules.MAXIMUM_VALIDITY, "'IRIS' may be granted for at most 5 years")
    shown = refusal(error)
    message = DUTCH[rules.MAXIMUM_VALIDITY]
    assert message.startswith("De einddatum ligt te ver")
    [problem] = shown["problems"]
    assert (problem.field, problem.rule, problem.message) == ("einddatum", "maximum-validity", message)
    assert shown["errors"] == {"einddatum": message}


def test_a_refusal_with_facts_names_the_persons_and_the_dates() -> None:
    error = RuleViolation(
        rules.OVERLAPPING_GRANT,
        "person 90001 already holds it",
        person="90001",
        right="IRIS-Platform (Leerlingenpaspoort) Gebruiker",
        context="Gebruiker",
        begin=date(2026, 9, 1),
        end=date(2027, 8, 31),
    )
    [problem] = refusal(error, names=lambda pid: {"90001": "An Claes"}[pid])["problems"]
    assert problem.message == (
        "An Claes heeft IRIS-Platform (Leerlingenpaspoort) Gebruiker al van 01/09/2026 t.e.m. 31/08/2027. "
        "Kies een periode daarna, of verleng het bestaande recht."
    )


def test_every_sentence_with_facts_is_dutch_without_ids_or_iso_dates() -> None:
    facts = {"person": "90001", "right": "R", "context": "Gebruiker", "begin": date(2026, 9, 1), "end": date(2027, 8, 31),
             "selected": 24, "wanted": 3, "years": 4, "last_day": date(2030, 8, 31), "status": "Inactief"}
    many = {"refused": [{"rule": rules.OVERLAPPING_GRANT, **facts}, {"rule": rules.INACTIVE_PERSON, "person": "90002"}], "right": "R", "context": "Gebruiker"}
    for rule in SPECIFIC:
        text = sentence(RuleViolation(rule, "x", **(many if rule == rules.PERSONS_REFUSED else facts)), lambda pid: "An Claes")
        assert "90001" not in text and "2026-09-01" not in text and rule not in text, rule
        assert text[0].isupper() and text.endswith("."), rule


def test_a_rule_without_a_dutch_sentence_shows_a_general_dutch_one() -> None:
    shown = refusal(RuleViolation(rules.LAST_HEAD_ADMINISTRATOR, "jan is the last head"), "reden")
    assert shown["errors"] == {"reden": "Dit kan niet. Er werd niets gewijzigd."}


def test_the_summary_lists_every_problem_linked_to_its_field_with_the_code_in_data_rule_only() -> None:
    problems = [Problem("begindatum", rules.DATE_FORMAT, DUTCH[rules.DATE_FORMAT]), Problem("einddatum", rules.DATE_FORMAT, "<b>x</b>")]
    summary = environment.get_template("base.html").render(visitor=None, notice=None, **shown(problems))
    assert f'<li data-rule="date-format"><a href="#begindatum">{DUTCH[rules.DATE_FORMAT]}</a></li>' in summary
    assert '<a href="#einddatum">&lt;b&gt;x&lt;/b&gt;</a>' in summary
    assert "autofocus" in summary and 'lang="en"' not in summary
    fields = environment.from_string(
        '{% from "_fields.html" import field %}{{ field("einddatum", "Einddatum", "", errors) }}'
    ).render(**shown(problems))
    assert "&lt;b&gt;x&lt;/b&gt;" in fields and "date-format" not in fields
