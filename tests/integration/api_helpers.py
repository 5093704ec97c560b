"""A seeded store and a running server for the JSON API tests, with a token per kind of caller."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
from web_seed import NUMBER, act, open_app, seed, today
from web_server import RunningServer, running

from grantbook.adapters.store import StoreLocation
from grantbook.adapters.tokens import TokenStore

API = "/api/v1"


@dataclass
class Api:
    server: RunningServer
    head: str  # jan, head of 034793 (read and write)
    read_only: str  # jan, read-only
    auditor: str  # audrey, auditor of 034793
    other: str  # piet, head of 111111 only

    @property
    def store(self) -> str:
        return self.server.config.store

    def client(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.server.url + API, headers=headers, timeout=30)


def tokens_for(store_url: str) -> dict[str, str]:
    store = TokenStore(StoreLocation.parse(store_url))
    try:
        day = today()
        return {
            "head": store.create("jan", "tests", day)[0],
            "read_only": store.create("jan", "read", day, read_only=True)[0],
            "auditor": store.create("audrey", "audit", day)[0],
            "other": store.create("piet", "other", day)[0],
        }
    finally:
        store.close()


def seeded(store_url: str) -> None:
    seed(store_url)
    app = open_app(store_url)
    try:
        app.appoint_auditor(act(), NUMBER, "audrey")
        day = today()
        app.grant(
            act(),
            NUMBER,
            "90010",
            "IRIS-Platform (Leerlingenpaspoort) Gebruiker",
            "Gebruiker",
            day,
            day + timedelta(days=20),
        )
    finally:
        app.close()


@contextmanager
def api_server(store_url: str, **settings: object) -> Iterator[Api]:
    seeded(store_url)
    made = tokens_for(store_url)
    with running(store_url, actor="jan", **settings) as server:
        yield Api(server, made["head"], made["read_only"], made["auditor"], made["other"])
