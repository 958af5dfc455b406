"""The product catalogue and its service policies: anyone signed in reads, admins add."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import CurrentUser, SessionDep, require_roles
from dispatch.account.models import Role, User
from dispatch.product import service as product_service
from dispatch.product.models import (
    ProductModel,
    ProductModelCreate,
    ProductModelPublic,
    ProductModelsPublic,
)

router = APIRouter(prefix="/product-models", tags=["catalogue"])

AdminUser = Annotated[User, require_roles(Role.ADMIN)]


@router.get("", response_model=ProductModelsPublic)
def read_product_models(
    session: SessionDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ProductModelsPublic:
    """The catalogue with each model's warranty, free services and visit kinds."""
    rows, count = product_service.list_all(session=session, offset=offset, limit=limit)
    return ProductModelsPublic.model_validate({"data": rows, "count": count})


@router.post("", response_model=ProductModelPublic, status_code=status.HTTP_201_CREATED)
def create_product_model(
    session: SessionDep, user: AdminUser, product_model_in: ProductModelCreate
) -> ProductModel:
    """Add a product model with its service policy."""
    return product_service.create(session=session, product_model_in=product_model_in)
