"""The HTTP service: thin routes over rag, built by `api.app.create_app(settings)`."""
