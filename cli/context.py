"""What every command needs: the store, the acting person and the clock."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import click

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, RuleViolation, person_id, rules
from grantbook.domain.values import BRUSSELS


@dataclass
class Session:
    store: StoreLocation
    actor: str | None
    store_given: bool = True
    apps: list[GrantBook] = field(default_factory=list)

    def now(self) -> datetime:
        # The CLI is the one place that reads the clock (tests pin it with freezegun).
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(BRUSSELS).date()

    def act(self) -> Act:
        if not self.actor:
            raise RuleViolation(
                rules.ACTOR_REQUIRED, "name the acting person with --as PERSON or GRANTBOOK_ACTOR"
            )
        try:
            actor = person_id(self.actor)
        except RuleViolation as error:
            raise RuleViolation(rules.ACTOR, f"--as: {error.message}") from None
        return Act(actor=actor, now=self.now())

    def key_file(self) -> Path | None:
        configured = os.environ.get("GRANTBOOK_KEY_FILE")
        if configured:
            return Path(configured)
        if self.store.kind == "sqlite" and self.store.path is not None:
            return self.store.path.with_name(self.store.path.name + ".key")
        return None

    def app(self, *, reading: bool = False) -> GrantBook:
        """The application on this store; reading never creates a store."""
        app = GrantBook.open(
            self.store,
            create=not reading,
            key_file=self.key_file(),
            notice=lambda message: click.echo(message, err=True),
        )
        self.apps.append(app)
        return app

    def close(self) -> None:
        for app in self.apps:
            app.close()
        self.apps.clear()


pass_session = click.make_pass_decorator(Session)
