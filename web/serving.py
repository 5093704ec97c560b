"""Running the pages under uvicorn: one process, or several workers sharing one listening socket."""

from __future__ import annotations

import os
import socket

import click
import uvicorn

from .config import CONFIG_VARIABLE, WebConfig


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def link(config: WebConfig, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if config.oidc:
        return f"open http://{shown}:{port}/"
    return f"open http://{shown}:{port}/login?token={config.local_token}"


def prepare(config: WebConfig) -> None:
    """Creates the store's tables once, before workers start (several processes creating the same
    table at once fail: "table ... already exists"): the application's, the sessions', the API
    tokens' and idempotency keys'."""
    from grantbook.adapters.tokens import TokenStore

    from .services import Services

    services = Services(config)
    try:
        TokenStore(services.location).close()
    finally:
        services.close()


def serve_web(config: WebConfig, host: str, port: int, workers: int, store_display: str) -> None:
    sock = listening_socket(host, port)
    bound = sock.getsockname()[1]
    options = {"log_level": "warning", "access_log": False, "server_header": False, "proxy_headers": False}
    if workers == 1:
        from .app import create_app

        app = create_app(config)
        from .services import settle_heap

        settle_heap()  # the heap loaded so far out of the collector's sight (docs/adr/0027)
        server = uvicorn.Server(uvicorn.Config(app, **options))  # type: ignore[arg-type]
        _announce(config, host, bound, store_display)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # Ctrl+C: uvicorn has shut down already
            pass
        return
    prepare(config)
    os.environ[CONFIG_VARIABLE] = config.to_environment()
    uconfig = uvicorn.Config(
        "grantbook.web.app:create_app_from_environment",
        factory=True,
        workers=workers,
        **options,  # type: ignore[arg-type]
    )
    server = uvicorn.Server(uconfig)
    from uvicorn.supervisors import Multiprocess

    _announce(config, host, bound, store_display)
    try:
        Multiprocess(uconfig, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass


def _announce(config: WebConfig, host: str, port: int, store_display: str) -> None:
    click.echo(
        f"serving {store_display} ({'OpenID Connect' if config.oidc else 'local sign-in'}); stop with Ctrl+C",
        err=True,
    )
    click.echo(link(config, host, port))
    click.get_text_stream("stdout").flush()
