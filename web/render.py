"""Rendering: the Jinja2 templates (autoescaped), dates as people read them, and refusals."""

from __future__ import annotations

import re
from datetime import date, datetime
from importlib import resources
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from grantbook.domain import RuleViolation
from grantbook.domain.text import is_unsafe
from grantbook.domain.values import BRUSSELS

from .forms import Link, Problem
from .messages import sentence
from .people import right_label

TEMPLATES_DIR = str(resources.files("grantbook.web").joinpath("templates"))
STATIC_DIR = str(resources.files("grantbook.web").joinpath("static"))


def dmy(value: Any) -> str:
    """A date as dd/mm/jjjj (the government pages' format); ISO text is read first."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return _dmy_text(value[:10])
    return value.strftime("%d/%m/%Y")


@lru_cache(maxsize=8192)
def _dmy_text(value: str) -> str:
    """An ISO day as dd/mm/jjjj, kept: a page of a school group prints the same few hundred days
    thousands of times."""
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def moment(value: Any) -> str:
    """A moment as people read it: "07/12/2026 om 14:05", Brussels time (ISO text is read first)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(BRUSSELS).strftime("%d/%m/%Y om %H:%M")


WHITESPACE_CONTROLS = frozenset("\t\n\r\u2028\u2029")
# Every character domain/text.py is_unsafe refuses (categories Cc and Cs, bidi controls, line and
# paragraph separators), as one class: a page's text is searched once in C, not char by char.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def safe_text(value: Any) -> Any:
    """Every value a template prints, before escaping: text never carries a control or bidi
    character onto a page, not even a refused form's echo of what was typed (the message names the
    character; the field shows the text without it). Line breaks and tabs become spaces; markup the
    templates made themselves (macros) is left alone."""
    if isinstance(value, str) and not isinstance(value, Markup) and UNSAFE.search(value):
        return "".join(" " if c in WHITESPACE_CONTROLS else "" if is_unsafe(c) else c for c in value)
    return value


DICT_NAMES = frozenset(dir(dict))


class PageEnvironment(Environment):
    """Jinja's environment, reading ``row.field`` of a plain dict as ``row["field"]`` at once:
    Jinja tries the attribute first and catches the AttributeError, for every field of every row;
    a dict has no attributes but its methods (``DICT_NAMES``, still looked up as Jinja does), so
    the answer is the same."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


environment = PageEnvironment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    auto_reload=False,  # the templates ship with the package: no stat of each file on every page
    autoescape=select_autoescape(default=True, default_for_string=True),
    finalize=safe_text,
)
environment.filters["dmy"] = dmy
environment.filters["moment"] = moment
environment.filters["right"] = right_label
environment.filters["pair"] = lambda value: (value, value)  # a select's option whose value is its text
templates = Jinja2Templates(env=environment)

# Which field a refused rule is about, so its message also stands next to that field.
FIELD_OF_RULE = {
    "institution-number": "instellingsnummer",
    "date-format": "begindatum",
    "period": "einddatum",
    "maximum-validity": "einddatum",
    "unknown-right": "recht",
    "unknown-context": "context",
    "national-number": "rijksregisternummer",
    "duplicate-support-worker": "rijksregisternummer",
    "person-name": "voornaam",
    "reason-required": "reden",
    "end-date-not-later": "einddatum",
}


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    person = getattr(request.state, "visitor", None)
    context.setdefault("errors", {})
    context.setdefault("problems", [])
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {"visitor": person, **context}, status_code=status_code
    )
    return response


def shown(problems: Sequence[Problem]) -> dict[str, Any]:
    """What a page shows for problems with a form (GOV.UK): all of them in the summary at the top, each
    linking to its field, and each next to its field (the first per field)."""
    errors: dict[str, str] = {}
    for problem in problems:
        if problem.field:
            errors.setdefault(problem.field, problem.message)
    return {"problems": list(problems), "errors": errors}


def refusal(
    error: RuleViolation,
    field: str | None = None,
    names: Callable[[str], str] | None = None,
    links: Sequence[Link] = (),
) -> dict[str, Any]:
    """What a page shows for a refused command (docs/adr/0011, 0019): the rule's Dutch sentence, with
    the persons by name and the dates as dd/mm/jjjj where the refusal names them (web/messages.py), in
    the summary and next to its field. The rule code stays in the HTML as ``data-rule`` only."""
    target = field or FIELD_OF_RULE.get(error.rule, "")
    return shown([Problem(target, error.rule, sentence(error, names), tuple(links))])
