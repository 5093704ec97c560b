"""Whatever text reaches a template, the page it makes holds no control or bidi character (the
templates' finalize, web/render.py); text without them is shown unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grantbook.domain.text import is_unsafe
from grantbook.web.render import environment

FIELD = environment.from_string('<input name="naam" value="{{ value }}"><p>{{ value }}</p>')


@given(st.text())
def test_no_unsafe_character_reaches_a_page(value: str) -> None:
    html = FIELD.render(value=value)
    assert not any(is_unsafe(c) for c in html)


@given(st.text().filter(lambda t: not any(is_unsafe(c) for c in t)))
def test_safe_text_is_shown_as_typed(value: str) -> None:
    from markupsafe import escape

    assert FIELD.render(value=value) == f'<input name="naam" value="{escape(value)}"><p>{escape(value)}</p>'


def test_line_breaks_become_spaces_and_bidi_controls_vanish() -> None:
    assert FIELD.render(value="De\nLinde\u202e") == '<input name="naam" value="De Linde"><p>De Linde</p>'
