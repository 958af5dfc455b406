"""Product model services: create and update models with their policy, find a kind's policy."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from dispatch.db import changes, commit_or_conflict
from dispatch.errors import Conflict, InvalidInput, NotFound
from dispatch.product.models import (
    ProductModel,
    ProductModelCreate,
    ProductModelUpdate,
    VisitKind,
    VisitKindPolicy,
    policy_gaps,
)


def get(*, session: Session, product_model_id: int) -> ProductModel | None:
    """The product model with this id, or None."""
    return session.get(ProductModel, product_model_id)


def get_or_raise(*, session: Session, product_model_id: int) -> ProductModel:
    """The product model with this id; raises NotFound."""
    product_model = session.get(ProductModel, product_model_id)
    if product_model is None:
        raise NotFound(
            f"product model {product_model_id} does not exist.", loc=("product_model_id",)
        )
    return product_model


def list_all(
    *, session: Session, offset: int = 0, limit: int = 100
) -> tuple[list[ProductModel], int]:
    """A page of product models ordered by brand and name, and how many there are in all."""
    count = session.exec(select(func.count()).select_from(ProductModel)).one()
    query = (
        select(ProductModel)
        .order_by(col(ProductModel.brand), col(ProductModel.name))
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query).all()), count


def policy_for(*, product_model: ProductModel, kind: VisitKind) -> VisitKindPolicy:
    """The policy for this kind of visit; raises InvalidInput when the product does not offer it."""
    policy = product_model.policy_for(kind)
    if policy is None:
        raise InvalidInput(
            f"{product_model.brand} {product_model.name} has no {kind} service.", loc=("kind",)
        )
    return policy


def create(*, session: Session, product_model_in: ProductModelCreate) -> ProductModel:
    """A new product model with its policy per kind of visit."""
    msg = f"product model {product_model_in.brand} {product_model_in.name} exists."
    exists = select(ProductModel).where(
        ProductModel.brand == product_model_in.brand, ProductModel.name == product_model_in.name
    )
    if session.exec(exists).first() is not None:
        raise Conflict(msg, loc=("name",))
    product_model = ProductModel.model_validate(
        product_model_in.model_dump(exclude={"visit_kinds"})
    )
    product_model.visit_kinds = [
        VisitKindPolicy(**p.model_dump()) for p in product_model_in.visit_kinds
    ]
    session.add(product_model)
    commit_or_conflict(session, msg, loc=("name",))
    session.refresh(product_model)
    return product_model


def update(
    *, session: Session, product_model: ProductModel, product_model_in: ProductModelUpdate
) -> ProductModel:
    """The product model with the given fields changed; assets already sold keep their grants."""
    data = changes(product_model_in, clearable={"service_interval_days"})
    merged = product_model.model_dump() | data
    gaps = policy_gaps(
        kinds={p.kind for p in product_model.visit_kinds},
        free_installation=merged["free_installation"],
        free_services=merged["free_services"],
        free_oil_changes=merged["free_oil_changes"],
        service_interval_days=merged["service_interval_days"],
    )
    if gaps:
        raise InvalidInput("; ".join(gaps) + ".")
    product_model.sqlmodel_update(data)
    session.add(product_model)
    commit_or_conflict(session, "another product model has this brand and name.", loc=("name",))
    session.refresh(product_model)
    return product_model
