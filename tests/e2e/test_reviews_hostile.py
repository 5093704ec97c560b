"""Hostile input to ``grantbook review``: whatever is typed works or ends with one line on stderr and
exit 1 or 2, the store unchanged, no traceback (as tests/e2e/test_hostile_input.py)."""

from __future__ import annotations

import os

from conftest import NUMBER, Driver, grant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_input import T, assert_clean, build
from test_notices_hostile import typed

START = ("review", "start")
SLOTS: list[T] = [
    (START, ("--name", None, "--due=2026-12-31"), (NUMBER,)),
    (START, ("--name=K", "--due", None), (NUMBER,)),
    (START, ("--name=K", "--due=2026-12-31", "--right", None), (NUMBER,)),
    (START, ("--name=K", "--due=2026-12-31", "--right=iris", "--context", None), (NUMBER,)),
    (START, ("--name=K", "--due=2026-12-31", "--reviewer", None), (NUMBER,)),
    (START, ("--name=K", "--due=2026-12-31", "--every", None), (NUMBER,)),
    (START, ("--name=K", "--due=2026-12-31", "--if-undecided", None), (NUMBER,)),
    (("review", "list"), ("--as-of", None), (NUMBER,)),
    (("review", "show"), (), (NUMBER, None)),
    (("review", "show"), ("--as-of", None), (NUMBER, "R1")),
    (("review", "decide"), (), (NUMBER, "R1", None, "keep")),
    (("review", "decide"), (), (NUMBER, "R1", "034793-1", None)),
    (("review", "decide"), ("--reason", None), (NUMBER, "R1", "034793-1", "revoke")),
    (("review", "close"), (), (NUMBER, None)),
    (("review", "run"), ("--on", None), ()),
]

@settings(max_examples=int(os.environ.get("GRANTBOOK_FUZZ_EXAMPLES", "0")) or 30, derandomize=True,
          deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_typed_argument_of_the_review_commands_works_or_is_refused_in_one_line(
    school: Driver, data: st.DataObject
) -> None:
    if not school.json("review", "list", NUMBER):
        grant(school, "90001", "90002")
        school.ok("review", "start", NUMBER, "--name", "Kwartaal", "--due", "2026-12-31")
        school.json("review", "list", NUMBER)  # the read models caught up
    slot = data.draw(st.sampled_from(SLOTS))
    assert_clean(school, build(slot, data.draw(typed)))
