"""``grantbook tasks`` ("Mijn taken"): what waits for the acting person at every institution they
administer, one row per task (domain/tasks.py says which tasks there are and why).

The institutions come from the read models (``gb_access``); each one's tasks from the institution
itself, loaded through the application (selections and pending assignments live only there).
"""

from __future__ import annotations

from typing import Any

import click

from grantbook.domain.tasks import TASK_COLUMNS, Task, review_tasks, tasks_for
from grantbook.projections import answer
from grantbook.projections.access import ADMINISTRATOR, HEAD, roles_of

from .context import Session, pass_session
from .output import emit, format_option_with
from .reading import check_integrity, ignore_integrity_option


def tasks_of(app: Any, actor: str, today: Any) -> list[Task]:
    """Every task of ``actor`` on ``today``, by institution number."""
    mine = answer(app, lambda connection: roles_of(connection, actor), ["access"])
    administered = [number for number, entry in mine.items() if entry["roles"] & {HEAD, ADMINISTRATOR}]
    found = []
    for number in administered:
        state = app.institution(number).state
        found += tasks_for(state, actor, today) + review_tasks(state, actor)  # reviews: docs/adr/0025
    return found


@click.command()
@ignore_integrity_option
@format_option_with(columns=TASK_COLUMNS)
@pass_session
def tasks(session: Session, ignore_integrity: bool, output_format: str) -> None:
    """What waits for you (--as) at the institutions you administer ("Mijn taken"): your open
    selection and your assignment waiting for confirm, rights ending within 30 days, leavers still
    holding rights, support workers who hold no right any more (or never got one), and the open
    access reviews where you are a reviewer, with the number of items left to decide.

    \b
    Example:
      grantbook --as jan tasks
      grantbook --as jan tasks --format csv --columns institution,kind,name,due
    """
    actor = session.act().actor
    today = session.today()
    app = session.app(reading=True)
    check_integrity(app, None, ignore_integrity)
    found = tasks_of(app, actor, today)
    if output_format == "table":
        click.echo(f"{len(found)} task{'' if len(found) == 1 else 's'} waiting for {actor}")
        if not found:
            return
    emit([task.row() for task in found], TASK_COLUMNS, output_format)


COMMANDS = (tasks,)
