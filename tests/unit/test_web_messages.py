"""Refusals on the web pages in Dutch (web/messages.py, docs/adr/0011): every rule of domain/rules.py
has a decision (a Dutch sentence, or CLI-only), the sentences are fixed text, and a refusal shows the
sentence with its rule code and the English message as a detail in the summary only."""

from __future__ import annotations

import pytest

from grantbook.domain import RuleViolation, rules
from grantbook.web import pages_quick, pages_reports
from grantbook.web.messages import CLI_ONLY, DAYS, DUTCH
from grantbook.web.render import FIELD_OF_RULE, environment, refusal

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
    assert set(DUTCH) <= codes | {DAYS}  # ``days``: the reports page's own rule


def test_the_rules_the_pages_name_have_a_dutch_sentence() -> None:
    named = set(FIELD_OF_RULE) | set(pages_quick.FIELD_OF_RULE) | {DAYS, rules.DATE_RANGE}
    assert named <= set(DUTCH), sorted(named - set(DUTCH))


@pytest.mark.parametrize("rule", sorted(DUTCH))
def test_a_sentence_is_fixed_plain_dutch_text(rule: str) -> None:
    sentence = DUTCH[rule]
    assert sentence == sentence.strip() and sentence[0].isupper() and sentence.endswith(".")
    assert not any(c in sentence for c in "{}<>'\"\n"), "fixed text: no template, markup or quoted value"
    assert rule not in sentence  # the code follows in parentheses, once


def test_the_days_sentence_names_the_reports_limit() -> None:
    assert f"tot {pages_reports.MAX_DAYS}." in DUTCH[DAYS]


def test_a_refusal_shows_the_dutch_sentence_the_code_and_the_english_detail() -> None:
    error = RuleViolation(rules.MAXIMUM_VALIDITY, "'IRIS' may be granted for at most 5 years")
    shown = refusal(error)
    message = f"{DUTCH[rules.MAXIMUM_VALIDITY]} (maximum-validity)"
    assert message.startswith("De einddatum ligt te ver")
    assert shown["error"] == {
        "message": message,
        "field": "einddatum",
        "rule": "maximum-validity",
        "detail": error.message,
    }
    assert shown["errors"] == {"einddatum": message}  # next to the field: no English


def test_a_rule_without_a_dutch_sentence_shows_the_english_message_as_before() -> None:
    shown = refusal(RuleViolation(rules.LAST_HEAD_ADMINISTRATOR, "jan is the last head"), "reden")
    assert shown["error"]["message"] == "jan is the last head (last-head-administrator)"
    assert shown["error"]["detail"] is None
    assert shown["errors"] == {"reden": "jan is the last head (last-head-administrator)"}


def test_the_summary_shows_the_detail_in_english_escaped_and_the_field_without_it() -> None:
    error = RuleViolation(rules.DATE_FORMAT, "no such day: '<b>31/02/2027</b>'")
    context = refusal(error, "einddatum")
    summary = environment.get_template("base.html").render(visitor=None, notice=None, **context)
    assert f'<a href="#einddatum">{DUTCH[rules.DATE_FORMAT]} (date-format)</a>' in summary
    assert (
        '<span class="error-summary__detail" lang="en">Details: no such day: '
        "&#39;&lt;b&gt;31/02/2027&lt;/b&gt;&#39;</span>" in summary
    )
    fields = environment.from_string(
        '{% from "_fields.html" import field %}{{ field("einddatum", "Einddatum", "", errors) }}'
    ).render(**context)
    assert f"{DUTCH[rules.DATE_FORMAT]} (date-format)" in fields and "no such day" not in fields


def test_no_detail_line_without_a_dutch_sentence() -> None:
    context = refusal(RuleViolation(rules.LAST_HEAD_ADMINISTRATOR, "the last head"))
    summary = environment.get_template("base.html").render(visitor=None, notice=None, **context)
    assert "the last head (last-head-administrator)" in summary and 'lang="en"' not in summary

