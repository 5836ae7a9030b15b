"""`secretome-qa serve`: the HTTP service and its web page under uvicorn."""

import typer

from cli.context import console, reports_errors, settings_from


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, help="Interface to bind (default: SECRETOME_API_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, min=1, max=65535, help="Port (default: SECRETOME_API_PORT, 8000)."),
) -> None:
    """Serve the API, the OpenAI-compatible endpoint and the chat page until interrupted."""
    import uvicorn

    from api.app import create_app
    from api.logs import configure_logging

    settings = settings_from(ctx)
    host = host or settings.api.host
    port = port or settings.api.port
    console.print(f"serving on http://{host}:{port}/ (docs at /docs)", highlight=False)
    configure_logging()
    # log_config=None: logs are already JSON on stderr; uvicorn's own config would replace that.
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)


def register(app: typer.Typer) -> None:
    app.command()(reports_errors(serve))
