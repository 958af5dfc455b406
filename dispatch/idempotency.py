"""Idempotency-Keys of requests that create something (a booking, a bay booking): the same key
and body give back what the first request made; the same key with another body is refused.

A key is a row of a claims table (user, key, fingerprint of the body, id of what it made),
unique per user and key, so that two racing requests with one key, on one API process or two,
make one thing: the second waits on the first's row (PostgreSQL) and then replays it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dispatch.errors import Conflict, IdempotencyKeyReused

Made = TypeVar("Made")


@dataclass(frozen=True, slots=True)
class Keys(Generic[Made]):
    """A claims table, the table of what a request makes, and the claim's column naming it."""

    claims: type[Any]
    made: type[Made]
    made_id: str


def fingerprint(body: BaseModel) -> str:
    """sha256 of the request body, keys sorted: the same request, whatever its field order."""
    text = json.dumps(body.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def replay(
    session: Session, keys: Keys[Made], *, user_id: int, key: str, fingerprint: str
) -> Made | None:
    """What an earlier request with this key made, or None; raises when the body differs."""
    found = session.exec(
        select(keys.claims).where(keys.claims.user_id == user_id, keys.claims.key == key)
    ).first()
    if found is None or getattr(found, keys.made_id) is None:
        return None
    if found.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for another booking request; use a new key.",
            loc=("header", "idempotency-key"),
        )
    return session.get(keys.made, getattr(found, keys.made_id))


def claim(
    session: Session, keys: Keys[Made], *, user_id: int, key: str, fingerprint: str
) -> Any | Made:
    """The key claimed for this request (a new claims row, its made id still to set), or what
    an earlier request with it made."""
    earlier = replay(session, keys, user_id=user_id, key=key, fingerprint=fingerprint)
    if earlier is not None:
        return earlier
    row = keys.claims(user_id=user_id, key=key, fingerprint=fingerprint)
    session.add(row)
    try:
        session.flush()  # PostgreSQL: a racing twin with the same key waits here for us
    except IntegrityError:
        session.rollback()
        earlier = replay(session, keys, user_id=user_id, key=key, fingerprint=fingerprint)
        if earlier is None:
            raise Conflict(
                "a request with this Idempotency-Key is in progress; retry.",
                loc=("header", "idempotency-key"),
            ) from None
        return earlier
    return row
