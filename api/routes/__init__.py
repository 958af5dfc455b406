"""One APIRouter per resource; ROUTERS lists them for api/main.py."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import health

ROUTERS: tuple[APIRouter, ...] = (health.router,)
