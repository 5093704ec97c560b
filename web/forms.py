"""Every form and query a page reads, parsed at the edge into one pydantic model (docs/adr/0019).

A page declares what it reads as a model whose fields are typed with the annotations below (a day,
a number of days, an institution number, a person id, plain text of a limit). ``parse`` reads the
request's values into it and collects **every** problem at once, each as a :class:`Problem` naming
its field, the rule and a Dutch sentence, so a page shows all errors of a form together (GOV.UK).
Nothing typed ever raises past a page: too long, too large, control or bidi characters, a field sent
twice where one value is taken, invalid UTF-8 (refused before parsing, web/hostile.py).

The models also document the pages: ``query_doc`` and ``form_doc`` put their fields into the app's
OpenAPI description, which the guard tests walk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from grantbook.domain import NationalNumber, RuleViolation, institution_number, parse_date, person_id, rules
from grantbook.domain.national_number import contains_national_number
from grantbook.domain.text import is_unsafe

from .messages import DAYS, REPEATED, REQUIRED, REQUIRED_DAY, SEARCH_NATIONAL_NUMBER, VALUE, dutch

M = TypeVar("M", bound=BaseModel)

MAX_DAYS = 36600
RAW_LIMIT = 2000
"""No field of a page takes more characters than this (a reason takes 1,000)."""


@dataclass(frozen=True)
class Link:
    """A way on from a problem: a page that does what the sentence suggests."""

    text: str
    url: str


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what was sent: the field (its id on the page), the rule, the Dutch sentence
    and the ways on (links)."""

    field: str
    rule: str
    message: str
    links: tuple[Link, ...] = ()


class Refused(Exception):
    """What a page could not read, every problem at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.rule}" for p in problems))
        self.problems = problems


def _refusal(rule: str) -> PydanticCustomError:
    return PydanticCustomError(rule, dutch(rule) or rule)


def _from_rule(parser: Callable[[str], Any]) -> Callable[[Any], Any]:
    """A domain parser as a validator: its refusal becomes the rule's Dutch sentence."""

    def validate(value: Any) -> Any:
        try:
            return parser(str(value))
        except RuleViolation as error:
            raise _refusal(error.rule) from None

    return validate


def _day(value: str) -> date:
    if not value.strip():
        raise RuleViolation(REQUIRED_DAY, "a date is required")
    return parse_date(value)


def _required(parser: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse_filled(value: str) -> Any:
        if not value.strip():
            raise RuleViolation(REQUIRED, "a value is required")
        return parser(value)

    return parse_filled


def _optional_day(value: Any) -> date | None:
    return None if value is None or not str(value).strip() else _from_rule(_day)(value)


def _days(value: Any) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or not 0 <= int(text) <= MAX_DAYS:
        raise _refusal(DAYS)
    return int(text)


def _text(limit: int) -> Callable[[Any], str]:
    """Plain text of at most ``limit`` characters, blanks folded (``_text_rule``, said in Dutch)."""
    return _from_rule(lambda value: _text_rule(limit)(value))


def _text_rule(limit: int) -> Callable[[str], str]:
    """``_text`` for a required field: its refusals as rule violations, for ``_required``."""

    def check(value: str) -> str:
        if any(is_unsafe(c) for c in value):
            raise RuleViolation(rules.TEXT_CHARACTER, "unsafe character")
        tidied = " ".join(value.split())
        if len(tidied) > limit:
            raise RuleViolation(rules.TEXT_LENGTH, "too long")
        return tidied

    return check


def _national_number(value: str) -> str:
    NationalNumber.parse(value)
    return value


def _search_text(value: Any) -> str:
    """A name to search for: plain text, and never a national register number (it would be recorded)."""
    text = _text(200)(value)
    if contains_national_number(text):
        raise _refusal(SEARCH_NATIONAL_NUMBER)
    return text


def _optional(parser: Callable[[str], Any]) -> Callable[[Any], Any]:
    wrapped = _from_rule(parser)
    return lambda value: None if value is None or not str(value).strip() else wrapped(value)


Day = Annotated[date, BeforeValidator(_from_rule(_day))]
OptionalDay = Annotated[date | None, BeforeValidator(_optional_day)]
Days = Annotated[int, BeforeValidator(_days)]
Number = Annotated[str, BeforeValidator(_from_rule(institution_number))]
OptionalPerson = Annotated[str | None, BeforeValidator(_optional(person_id))]
Person = Annotated[str, BeforeValidator(_from_rule(_required(person_id)))]
Name = Annotated[str, BeforeValidator(_text(200))]
Reason = Annotated[str, BeforeValidator(_text(1000))]
SearchText = Annotated[str, BeforeValidator(_search_text)]
Choice = Annotated[str, BeforeValidator(_text(200))]
FilledName = Annotated[str, BeforeValidator(_from_rule(_required(_text_rule(200))))]
FilledReason = Annotated[str, BeforeValidator(_from_rule(_required(_text_rule(1000))))]
NationalNumberText = Annotated[str, BeforeValidator(_from_rule(_required(_national_number)))]
"""A national register number as typed: checked (digits, check digits), kept as typed for the
application, which protects it; a page never shows it again."""
"""A value picked from a list (a right, a context): checked against the list by the domain."""


class PageModel(BaseModel):
    """A form or query of a page: fields as the page names them; anything else sent is ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list or (
        get_origin(annotation) is Annotated and _is_list(get_args(annotation)[0])
    )


def values_of(model: type[BaseModel], data: Any) -> tuple[dict[str, Any], list[Problem]]:
    """The model's fields from ``data`` (a multi-dict: a query or a form, or a plain mapping): one value
    per field, a list for list fields; a field sent twice where it takes one is a problem."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        found = data.getlist(key) if hasattr(data, "getlist") else _as_list(data.get(key))
        found = [v if isinstance(v, str) else "" for v in found]
        if any(len(v) > RAW_LIMIT for v in found):
            problems.append(Problem(key, rules.TEXT_LENGTH, dutch(rules.TEXT_LENGTH) or ""))
            continue
        if _is_list(info.annotation):
            values[name] = found
        elif len(found) > 1:
            problems.append(Problem(key, REPEATED, dutch(REPEATED) or ""))
        elif found:
            values[name] = found[0]
    return values, problems


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def parse(model: type[M], data: Any) -> M:
    """``data`` read into ``model``, or :class:`Refused` with every problem (in the model's field order)."""
    values, problems = values_of(model, data)
    try:
        parsed = model.model_validate(values)
    except ValidationError as error:
        order = list(model.model_fields)
        for found in error.errors():
            name = str(found["loc"][0]) if found["loc"] else ""
            info = model.model_fields.get(name)
            key = (info.alias if info else None) or name
            rule = REQUIRED if found["type"] == "missing" else found["type"]
            if rule not in _OUR_RULES:
                rule = VALUE
            message = found["msg"] if rule == found["type"] else dutch(rule) or ""
            if rule == REQUIRED and info is not None and info.title:  # "Vul de voornaam in."
                message = f"Vul {info.title} in."
            problems.append(Problem(key, rule, message))
        problems.sort(key=lambda p: order.index(p.field) if p.field in order else len(order))
        raise Refused(problems) from None
    if problems:
        raise Refused(problems)
    return parsed


_OUR_RULES = frozenset(
    {
        rules.DATE_FORMAT,
        rules.INSTITUTION_NUMBER,
        rules.PERSON_ID,
        rules.TEXT_CHARACTER,
        rules.TEXT_LENGTH,
        rules.NATIONAL_NUMBER,
        DAYS,
        SEARCH_NATIONAL_NUMBER,
        REQUIRED,
        REQUIRED_DAY,
    }
)


def typed(model: type[BaseModel], raw: Mapping[str, Any]) -> dict[str, str]:
    """What was typed, to show again in a refused form: text only, one value per field."""
    shown: dict[str, str] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        value = raw.get(key, "")
        shown[key] = value if isinstance(value, str) and len(value) <= RAW_LIMIT else ""
    return shown


def field_doc(model: type[BaseModel]) -> list[tuple[str, bool]]:
    """The model's fields as a page names them, and whether each takes several values."""
    return [(info.alias or name, _is_list(info.annotation)) for name, info in model.model_fields.items()]


def query_doc(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a GET route: the model's fields as query parameters."""
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": "array", "items": {"type": "string"}} if many else {"type": "string"},
            }
            for name, many in field_doc(model)
        ]
    }


def form_doc(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a POST route: the model's fields (and the CSRF token) as its form."""
    properties: dict[str, Any] = {"csrf_token": {"type": "string"}}
    for name, many in field_doc(model):
        properties[name] = {"type": "array", "items": {"type": "string"}} if many else {"type": "string"}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": properties}}},
        }
    }


__all__ = [
    "Choice",
    "Day",
    "Days",
    "Field",
    "Name",
    "Number",
    "OptionalDay",
    "OptionalPerson",
    "PageModel",
    "Person",
    "Problem",
    "Reason",
    "Refused",
    "SearchText",
    "form_doc",
    "parse",
    "query_doc",
    "typed",
]
