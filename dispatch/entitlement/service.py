"""Entitlement services: grant from the product policy, consume on booking, restore on cancel.

consume and restore are single guarded UPDATE statements checked by their row count, so the
count never leaves [0, total], also when bookings race (the row lock serialises them on
PostgreSQL; on SQLite every transaction holds the write lock, see dispatch.db).
"""

from datetime import date, timedelta

from sqlmodel import Session, col, select, update

from dispatch import localtime
from dispatch.entitlement.models import Entitlement, EntitlementKind
from dispatch.errors import Conflict, NotCovered, NotFound
from dispatch.product.models import ProductModel


def get(*, session: Session, entitlement_id: int) -> Entitlement | None:
    """The entitlement with this id, or None."""
    return session.get(Entitlement, entitlement_id)


def get_or_raise(*, session: Session, entitlement_id: int) -> Entitlement:
    """The entitlement with this id; raises NotFound."""
    entitlement = session.get(Entitlement, entitlement_id)
    if entitlement is None:
        raise NotFound(f"entitlement {entitlement_id} does not exist.", loc=("entitlement_id",))
    return entitlement


def list_for_asset(*, session: Session, asset_id: int) -> list[Entitlement]:
    """The asset's entitlements, ordered by kind."""
    query = select(Entitlement).where(Entitlement.asset_id == asset_id)
    return list(session.exec(query.order_by(col(Entitlement.kind))).all())


def find(*, session: Session, asset_id: int, kind: EntitlementKind) -> Entitlement | None:
    """The asset's entitlement of this kind, or None when the product grants none."""
    query = select(Entitlement).where(Entitlement.asset_id == asset_id, Entitlement.kind == kind)
    return session.exec(query).first()


def grants_for(
    *, asset_id: int, product_model: ProductModel, purchase_date: date
) -> list[Entitlement]:
    """The entitlements a unit of this product bought on purchase_date is owed (not yet saved)."""
    policy_end = localtime.add_months(purchase_date, product_model.entitlement_valid_months)
    counts = (
        (EntitlementKind.FREE_INSTALLATION, int(product_model.free_installation)),
        (EntitlementKind.FREE_SERVICE, product_model.free_services),
        (EntitlementKind.FREE_OIL_CHANGE, product_model.free_oil_changes),
    )
    installation_end = purchase_date + timedelta(days=product_model.installation_valid_days)
    return [
        Entitlement(
            asset_id=asset_id,
            kind=kind,
            total=total,
            used=0,
            valid_until=installation_end
            if kind is EntitlementKind.FREE_INSTALLATION
            else policy_end,
        )
        for kind, total in counts
        if total > 0
    ]


def consume(*, session: Session, entitlement_id: int, on: date) -> Entitlement:
    """Step: use one, if one is left and still valid on that day; raises NotCovered otherwise."""
    result = session.execute(
        update(Entitlement)
        .where(
            col(Entitlement.id) == entitlement_id,
            col(Entitlement.used) < col(Entitlement.total),
            (col(Entitlement.valid_until).is_(None)) | (col(Entitlement.valid_until) >= on),
        )
        .values(used=col(Entitlement.used) + 1)
        .execution_options(synchronize_session=False)
    )
    entitlement = _reload(session, entitlement_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotCovered(_why_not_usable(entitlement, on), loc=("entitlement_id",))
    return entitlement


def check_usable(*, entitlement: Entitlement, on: date) -> None:
    """Raises NotCovered unless one is left and still valid on that day: what consume's guarded
    UPDATE checks, without using one (a quote before booking)."""
    expired = entitlement.valid_until is not None and entitlement.valid_until < on
    if expired or entitlement.used >= entitlement.total:
        raise NotCovered(_why_not_usable(entitlement, on), loc=("entitlement_id",))


def restore(*, session: Session, entitlement_id: int) -> Entitlement:
    """Step: give one back (a booking was cancelled); raises Conflict when none is used.

    Expiry does not block a restore: the count must say what was really used.
    """
    result = session.execute(
        update(Entitlement)
        .where(col(Entitlement.id) == entitlement_id, col(Entitlement.used) > 0)
        .values(used=col(Entitlement.used) - 1)
        .execution_options(synchronize_session=False)
    )
    entitlement = _reload(session, entitlement_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"{entitlement.kind} entitlement {entitlement_id} has none used to give back.",
            loc=("entitlement_id",),
        )
    return entitlement


def _reload(session: Session, entitlement_id: int) -> Entitlement:
    """The row as the database has it now (the UPDATE bypassed the session's copy)."""
    entitlement = session.get(Entitlement, entitlement_id, populate_existing=True)
    if entitlement is None:
        raise NotFound(f"entitlement {entitlement_id} does not exist.", loc=("entitlement_id",))
    return entitlement


def _why_not_usable(entitlement: Entitlement, on: date) -> str:
    if entitlement.valid_until is not None and entitlement.valid_until < on:
        return f"{entitlement.kind} expired after {entitlement.valid_until}."
    return f"{entitlement.kind} is used up ({entitlement.used} of {entitlement.total})."
