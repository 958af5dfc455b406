"""The page routes: each answers an HTML shell; the page's script signs in and calls /v1."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.deps import SettingsDep

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def install(app: FastAPI) -> None:
    """Serve the pages and their static files (stylesheet, scripts, vendored Leaflet)."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)


SWAGGER = "/static/vendor/swagger-ui-5.35.0"


@router.get("/docs")
def read_api_docs() -> HTMLResponse:
    """The OpenAPI document in Swagger UI, served from this site (no CDN)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Purna API",
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url="/static/purna.svg",
    )


def _page(request: Request, settings: SettingsDep, name: str, **context: object) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        f"{name}.html",
        {
            "page": name,
            "tile_url": settings.map_tile_url,
            "attribution": settings.map_attribution,
            **context,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/")
def read_index(request: Request, settings: SettingsDep) -> HTMLResponse:
    """What Purna is, the three pages, the API docs and sign-in."""
    return _page(request, settings, "index")


@router.get("/signin")
def read_signin(request: Request, settings: SettingsDep) -> HTMLResponse:
    """Sign in with a bearer token (kept for the browser session)."""
    return _page(request, settings, "signin")


@router.get("/board")
def read_board(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The dispatcher's day: map, timeline, unassigned visits, planning and publishing."""
    return _page(request, settings, "board")


@router.get("/me")
def read_technician_day(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The technician's stops of the day, mobile first."""
    return _page(request, settings, "me")


@router.get("/book")
def read_booking_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The customer's units, offered windows, bookings."""
    return _page(request, settings, "book")


@router.get("/track/{booking_id}")
def read_tracking_page(
    request: Request,
    settings: SettingsDep,
    booking_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
) -> HTMLResponse:
    """One booking's status, technician and ETA, refreshing by itself."""
    return _page(request, settings, "track", booking_id=booking_id)
