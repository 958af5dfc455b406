"""The access log of personal data, for admins: who read whose contact details, when, where."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep, require_roles
from dispatch.access import service as access_service
from dispatch.access.models import AccessLogsPublic
from dispatch.account.models import Role, User

router = APIRouter(prefix="/audit", tags=["audit"])

AdminUser = Annotated[User, require_roles(Role.ADMIN)]


@router.get("", response_model=AccessLogsPublic)
def read_audit(
    session: SessionDep,
    user: AdminUser,
    user_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="who read")] = None,
    customer_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="whose")] = None,
    start: Annotated[datetime | None, Query(alias="from", description="from, with zone")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="until (excluded)")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AccessLogsPublic:
    """Reads of customers' contact details by staff, newest first (kept for
    ACCESS_LOG_RETENTION_DAYS, 365 by default)."""
    rows, count = access_service.list_entries(
        session=session,
        user_id=user_id,
        customer_id=customer_id,
        start=start,
        end=end,
        offset=offset,
        limit=limit,
    )
    return AccessLogsPublic(data=rows, count=count)
