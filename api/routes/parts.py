"""Spare parts: the catalogue (anyone signed in reads, admins add), the part rules of a product
model's visit kinds, and the parts a visit needs (its dispatcher or technician)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import MAX_ID, CurrentUser, FieldVisitDep, SessionDep, require_roles
from dispatch.account.models import Role, User
from dispatch.localtime import utc_now
from dispatch.parts import reservations
from dispatch.parts import service as parts_service
from dispatch.parts.models import (
    KindPartNeed,
    KindPartNeedCreate,
    KindPartNeedPublic,
    Part,
    PartCreate,
    PartNeedPublic,
    PartPublic,
    PartsPublic,
    VisitPartNeeds,
)
from dispatch.product import service as product_service

router = APIRouter(tags=["parts"])

AdminUser = Annotated[User, require_roles(Role.ADMIN)]


@router.get("/parts", response_model=PartsPublic)
def read_parts(
    session: SessionDep,
    user: CurrentUser,
    product_model_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PartsPublic:
    """Genuine parts with their OEM part numbers, of one product model when given."""
    rows, count = parts_service.list_parts(
        session=session, product_model_id=product_model_id, offset=offset, limit=limit
    )
    return PartsPublic.model_validate({"data": rows, "count": count})


@router.post("/parts", response_model=PartPublic, status_code=status.HTTP_201_CREATED)
def create_part(session: SessionDep, user: AdminUser, part_in: PartCreate) -> Part:
    """Add a genuine part of a product model (part numbers are unique: 409 otherwise)."""
    return parts_service.create_part(session=session, part_in=part_in)


@router.get("/part-needs", response_model=list[KindPartNeedPublic])
def read_part_needs(
    session: SessionDep,
    user: CurrentUser,
    product_model_id: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> list[KindPartNeed]:
    """The parts each kind of visit to this model needs."""
    product_service.get_or_raise(session=session, product_model_id=product_model_id)
    return parts_service.kind_needs(session=session, product_model_id=product_model_id)


@router.post("/part-needs", response_model=KindPartNeedPublic, status_code=status.HTTP_201_CREATED)
def create_part_need(
    session: SessionDep, user: AdminUser, need_in: KindPartNeedCreate
) -> KindPartNeed:
    """Every visit of this kind to this model needs the part (a part of the model, a kind it
    offers: 422 otherwise)."""
    model = product_service.get_or_raise(session=session, product_model_id=need_in.product_model_id)
    return parts_service.add_kind_need(session=session, product_model=model, need_in=need_in)


@router.get("/visits/{visit_id}/parts", response_model=list[PartNeedPublic])
def read_visit_parts(session: SessionDep, visit: FieldVisitDep) -> list[PartNeedPublic]:
    """The parts the visit needs (its kind's rule and its own), and where each is held."""
    return reservations.needs_public(session=session, visit=visit)


@router.put("/visits/{visit_id}/parts", response_model=list[PartNeedPublic])
def replace_visit_parts(
    session: SessionDep, visit: FieldVisitDep, needs_in: VisitPartNeeds
) -> list[PartNeedPublic]:
    """The parts this visit needs beyond its kind's rule (a compressor for this repair), until
    it ends; a planned visit's van holds them at once (409 out_of_stock when it cannot)."""
    return reservations.replace_needs(session=session, visit=visit, needs_in=needs_in, at=utc_now())
