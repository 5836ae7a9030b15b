"""`secretome-qa serve`: the HTTP service and its web page under uvicorn.

The port is bound here, before uvicorn starts, so a taken port is reported at once in plain words and
"serving on ..." is printed only once the socket is ours. uvicorn runs with the options of
`api.server_config` (forwarded headers only from trusted proxies, h11 with a capped request head), in
one process or, with `--workers`, several sharing the socket and the rate limit.
"""

import errno
import os
import socket

import typer

from cli.context import console, fail, reports_errors, settings_from

LOG_FORMATS = ("auto", "json", "text")


def bind(host: str, port: int) -> socket.socket:
    """A socket bound (not yet listening) to host:port, or a clear error when the port is taken or the host
    is not ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise fail(f"port {port} on {host} is already in use; stop what holds it or pass --port", 1) from exc
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", 1) from exc
    sock.set_inheritable(True)
    return sock


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, help="Interface to bind (default: SECRETOME_API_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, min=1, max=65535, help="Port (default: SECRETOME_API_PORT, 8000)."),
    log_format: str = typer.Option(
        "auto", "--log-format", envvar="SECRETOME_LOG_FORMAT",
        help="auto (readable in a terminal, JSON otherwise), json or text.",
    ),
    workers: int | None = typer.Option(
        None, min=1, max=64, help="Worker processes (default: SECRETOME_API__WORKERS, 1); they share the rate limit."
    ),
) -> None:
    """Serve the API, the OpenAI-compatible endpoint and the chat page until interrupted."""
    if log_format not in LOG_FORMATS:
        raise fail(f"unknown log format {log_format!r}; choose one of {', '.join(LOG_FORMATS)}", 2)
    settings = settings_from(ctx)
    host = host or settings.api.host
    port = port or settings.api.port
    sock = bind(host, port)
    import uvicorn

    from api.app import create_app
    from api.logs import configure_logging
    from api.server_config import LOG_FORMAT_ENV, SETTINGS_ENV, settings_json, uvicorn_options

    console.print(f"serving on http://{host}:{port}/ (docs at /docs)", highlight=False)
    configure_logging(log_format=log_format)
    options = uvicorn_options(settings)
    workers = workers or settings.api.workers
    try:
        if workers > 1:
            # each worker builds its own app from these settings (api.server_config.worker_app)
            os.environ[SETTINGS_ENV] = settings_json(settings)
            os.environ[LOG_FORMAT_ENV] = log_format
            config = uvicorn.Config(
                "api.server_config:worker_app", factory=True, workers=workers, log_config=None, access_log=False,
                **options,
            )
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
        else:
            # log_config=None: our handlers are already set; uvicorn's own config would replace them.
            config = uvicorn.Config(create_app(settings), log_config=None, access_log=False, **options)
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


def register(app: typer.Typer) -> None:
    app.command()(reports_errors(serve))
