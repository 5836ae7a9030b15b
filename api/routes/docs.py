"""`/docs` served with Swagger UI assets from the `swagger-ui-bundle` package, so it works offline.

FastAPI's default page loads its JS and CSS from a CDN, which a machine without internet cannot reach.
The bundled Swagger UI (4.15.5, the newest `swagger-ui-bundle` on PyPI) refuses an OpenAPI 3.1.0 document
("Unable to render this definition"), so the page reads the same schema labelled 3.0.3 from
`/docs/openapi.json`; `/openapi.json` stays 3.1.0 for clients and generators. ReDoc is not offered: it
would load its script from a CDN.
"""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

ASSETS = "/docs-assets"
SWAGGER_OPENAPI = "3.0.3"

router = APIRouter(include_in_schema=False)


@router.get("/docs/openapi.json")
async def openapi_for_swagger(request: Request) -> JSONResponse:
    """The app's OpenAPI document with the version Swagger UI 4 renders."""
    return JSONResponse({**request.app.openapi(), "openapi": SWAGGER_OPENAPI})


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/docs/openapi.json",
        title=f"{request.app.title} - API docs",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
    )
