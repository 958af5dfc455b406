"""Record, read and prune the access log of personal data (dispatch.access.models)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from dispatch.access.models import AccessLog, AccessLogPublic
from dispatch.access.scope import Scope
from dispatch.account.models import User
from dispatch.localtime import require_aware, utc_now

CONTACT = "name,phone,email,address"


def record(
    *,
    session: Session,
    scope: Scope,
    customer_ids: Iterable[int],
    endpoint: str,
    fields: str = CONTACT,
    now: datetime | None = None,
) -> int:
    """Log that a staff member was shown these customers' contact details (customers reading
    themselves are not logged); how many entries were written."""
    if not scope.is_staff:
        return 0
    at = now or utc_now()
    entries = [
        AccessLog(
            at=at,
            user_id=scope.user_id,
            role=scope.role,
            customer_id=cid,
            endpoint=endpoint,
            fields=fields,
        )
        for cid in dict.fromkeys(customer_ids)  # each customer once, in order
    ]
    session.add_all(entries)
    session.commit()
    return len(entries)


def list_entries(
    *,
    session: Session,
    user_id: int | None = None,
    customer_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[AccessLogPublic], int]:
    """A page of the log, newest first, filtered by reader, customer and [start, end)."""
    where = []
    if user_id is not None:
        where.append(col(AccessLog.user_id) == user_id)
    if customer_id is not None:
        where.append(col(AccessLog.customer_id) == customer_id)
    if start is not None:
        where.append(col(AccessLog.at) >= require_aware(start))
    if end is not None:
        where.append(col(AccessLog.at) < require_aware(end))
    count = session.exec(select(func.count()).select_from(AccessLog).where(*where)).one()
    query = (
        select(AccessLog, User.name)
        .outerjoin(User, col(User.id) == col(AccessLog.user_id))
        .where(*where)
        .order_by(col(AccessLog.at).desc(), col(AccessLog.id).desc())
        .offset(offset)
        .limit(limit)
    )
    data = [
        AccessLogPublic.model_validate(entry, update={"user_name": name}, from_attributes=True)
        for entry, name in session.exec(query).all()
    ]
    return data, count


def prune(*, session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Delete the entries older than the retention period; how many went."""
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    result = session.execute(delete(AccessLog).where(col(AccessLog.at) < cutoff))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)  # a CursorResult for DELETE
