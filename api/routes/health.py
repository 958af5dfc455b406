"""Liveness and readiness: is the process up, and can it reach its database."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import SessionDep
from dispatch import db

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The process is up, and which database answered."""

    status: str
    database: str


@router.get("/health", response_model=Health)
def read_health(session: SessionDep) -> Health:
    """200 when the database answers."""
    return Health(status="ok", database=db.ping(session))
