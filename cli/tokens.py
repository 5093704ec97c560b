"""``grantbook token``: personal API tokens for the JSON API (docs/api.md), for the ``--as`` person.

``token create`` prints the token once (only its SHA-256 is kept, in the store's database);
``token list`` shows the person's tokens (never a secret); ``token revoke ID`` ends one at once.
"""

from __future__ import annotations

import click

from grantbook.adapters.tokens import TOKEN_COLUMNS, TokenStore
from grantbook.domain import RuleViolation, parse_date

from .context import Session, pass_session
from .output import emit, format_option_with, visible


def _store(session: Session) -> TokenStore:
    session.app(reading=True)  # the store must exist (and is not created by asking about tokens)
    return TokenStore(session.store)


@click.group("token")
def token() -> None:
    """Personal API tokens for the JSON API (/api/v1), for the acting person (--as).

    \b
    Example:
      grantbook --as jan token create --name "rapportering" --expires 2027-03-01 --read-only
      grantbook --as jan token list
      grantbook --as jan token revoke 3f9a2b1c0d4e
    """


@token.command("create")
@click.option("--name", required=True, help="What the token is for (shown in token list).")
@click.option("--expires", metavar="DATE", help="The last day it works (default: 90 days from today).")
@click.option("--read-only", is_flag=True, help="The token may only read; every change answers 403.")
@pass_session
def create(session: Session, name: str, expires: str | None, read_only: bool) -> None:
    """Makes a token and prints it once: keep it like a password.

    \b
    Example:
      grantbook --as jan token create --name rapportering
      grantbook --as jan token create --name dashboard --read-only --expires 01/03/2027
    """
    act = session.act()
    last_day = parse_date(expires) if expires is not None else None
    store = _store(session)
    try:
        secret, made = store.create(act.actor, name, session.today(), last_day, read_only)
    finally:
        store.close()
    click.echo(secret)
    access = "read-only" if made.read_only else "read-write"
    click.echo(
        visible(
            f"token {made.token_id} ({made.name}, {access}) for {made.person_id}, valid through "
            f"{made.expires.isoformat()}: it is shown only now"
        ),
        err=True,
    )


@token.command("list")
@format_option_with(columns=TOKEN_COLUMNS)
@pass_session
def list_tokens(session: Session, output_format: str) -> None:
    """Your tokens (never their secrets): id, name, access, created, expires, status.

    \b
    Example:
      grantbook --as jan token list --format json
    """
    act = session.act()
    store = _store(session)
    try:
        found = store.of(act.actor)
    finally:
        store.close()
    emit([t.row(session.today()) for t in found], TOKEN_COLUMNS, output_format)


@token.command("revoke")
@click.argument("token_id", metavar="ID")
@pass_session
def revoke(session: Session, token_id: str) -> None:
    """Ends one of your tokens at once.

    \b
    Example:
      grantbook --as jan token revoke 3f9a2b1c0d4e
    """
    act = session.act()
    store = _store(session)
    try:
        done = store.revoke(act.actor, token_id)
    finally:
        store.close()
    if not done:
        raise RuleViolation("unknown-token", f"{act.actor} has no active token {token_id!r}")
    click.echo(f"token {token_id} revoked")


COMMANDS = (token,)
