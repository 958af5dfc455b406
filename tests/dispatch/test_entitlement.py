"""Entitlements: granted from the policy, consumed and restored atomically, never out of range."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dispatch.asset import service as asset_service
from dispatch.entitlement import service as entitlement_service
from dispatch.entitlement.models import Entitlement, EntitlementKind
from dispatch.errors import Conflict, NotCovered
from dispatch.product.models import VisitKind
from dispatch.region import service as region_service
from dispatch.request.models import Coverage
from tests.factories import make_asset, make_motorcycle_model, make_region, make_request

ON = date(2026, 3, 10)
THREADS = 10


def _entitlement(session: Session, asset_id: int, kind: EntitlementKind) -> Entitlement:
    entitlement = entitlement_service.find(session=session, asset_id=asset_id, kind=kind)
    assert entitlement is not None
    return entitlement


def test_register_grants_entitlements_from_policy(session: Session) -> None:
    """A motorcycle is owed 3 free services and 1 free oil change, valid 12 months."""
    asset = make_asset(
        session, product_model=make_motorcycle_model(session), purchase_date=date(2026, 1, 31)
    )
    granted = {e.kind: (e.total, e.used, e.valid_until) for e in asset.entitlements}
    assert granted == {
        EntitlementKind.FREE_SERVICE: (3, 0, date(2027, 1, 31)),
        EntitlementKind.FREE_OIL_CHANGE: (1, 0, date(2027, 1, 31)),
    }


def test_register_grants_free_installation_for_90_days(session: Session) -> None:
    """An AC with free installation is owed one installation within 90 days of purchase."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    installation = _entitlement(session, asset.id or 0, EntitlementKind.FREE_INSTALLATION)
    assert (installation.total, installation.valid_until) == (1, date(2026, 5, 31))


def test_consume_uses_one_until_none_is_left(session: Session) -> None:
    """Three free services can be used three times; the fourth is not covered."""
    asset = make_asset(session, product_model=make_motorcycle_model(session))
    service = _entitlement(session, asset.id or 0, EntitlementKind.FREE_SERVICE)
    for expected_used in (1, 2, 3):
        used = entitlement_service.consume(session=session, entitlement_id=service.id or 0, on=ON)
        assert (used.used, used.remaining) == (expected_used, 3 - expected_used)
    with pytest.raises(NotCovered, match=r"used up \(3 of 3\)"):
        entitlement_service.consume(session=session, entitlement_id=service.id or 0, on=ON)
    assert service.used == 3


def test_consume_on_last_valid_day_succeeds(session: Session) -> None:
    """An entitlement may be used on its valid_until day."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    installation = _entitlement(session, asset.id or 0, EntitlementKind.FREE_INSTALLATION)
    used = entitlement_service.consume(
        session=session, entitlement_id=installation.id or 0, on=date(2026, 5, 31)
    )
    assert used.used == 1


def test_consume_after_expiry_is_not_covered(session: Session) -> None:
    """The day after valid_until nothing is consumed and the reason names the date."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    installation = _entitlement(session, asset.id or 0, EntitlementKind.FREE_INSTALLATION)
    with pytest.raises(NotCovered, match="expired after 2026-05-31"):
        entitlement_service.consume(
            session=session, entitlement_id=installation.id or 0, on=date(2026, 6, 1)
        )
    assert installation.used == 0


def test_restore_gives_one_back(session: Session) -> None:
    """Restoring after a consume brings the count back to zero."""
    asset = make_asset(session)
    installation = _entitlement(session, asset.id or 0, EntitlementKind.FREE_INSTALLATION)
    entitlement_service.consume(session=session, entitlement_id=installation.id or 0, on=ON)
    restored = entitlement_service.restore(session=session, entitlement_id=installation.id or 0)
    assert restored.used == 0


def test_restore_never_goes_below_zero(session: Session) -> None:
    """With nothing used, restore is a Conflict and the count stays at zero."""
    asset = make_asset(session)
    installation = _entitlement(session, asset.id or 0, EntitlementKind.FREE_INSTALLATION)
    with pytest.raises(Conflict, match="none used"):
        entitlement_service.restore(session=session, entitlement_id=installation.id or 0)
    assert installation.used == 0


def test_restore_after_expiry_still_gives_back(session: Session) -> None:
    """A booking cancelled after expiry still gives its count back (the count tells the truth)."""
    asset = make_asset(session, purchase_date=date(2026, 3, 2))
    installation = _entitlement(session, asset.id or 0, EntitlementKind.FREE_INSTALLATION)
    entitlement_service.consume(session=session, entitlement_id=installation.id or 0, on=ON)
    assert (
        entitlement_service.restore(session=session, entitlement_id=installation.id or 0).used == 0
    )


def test_database_refuses_used_above_total(session: Session) -> None:
    """Even a direct UPDATE cannot push used past total: the CHECK constraint refuses it."""
    asset = make_asset(session)
    installation = _entitlement(session, asset.id or 0, EntitlementKind.FREE_INSTALLATION)
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.text(f"UPDATE entitlement SET used = 2 WHERE id = {installation.id}"))
        session.flush()


def _race(engine: Engine, attempt: Callable[[Session], object]) -> list[bool]:
    """Run attempt in THREADS threads released together; True for each that committed."""
    barrier = threading.Barrier(THREADS)

    def one() -> bool:
        with Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                attempt(session)
                session.commit()
            except (NotCovered, Conflict):
                session.rollback()
                return False
            return True

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(one) for _ in range(THREADS)]
        return [f.result(timeout=60) for f in futures]


def _committed_free_services(engine: Engine) -> tuple[int, int]:
    """A motorcycle with 3 free services, committed; returns (asset id, entitlement id)."""
    with Session(engine) as session:
        asset = make_asset(session, product_model=make_motorcycle_model(session))
        service = _entitlement(session, asset.id or 0, EntitlementKind.FREE_SERVICE)
        return asset.id or 0, service.id or 0


def test_consume_under_concurrent_threads_succeeds_exactly_total_times(engine: Engine) -> None:
    """Ten threads consuming an entitlement of total 3 at once: exactly 3 succeed."""
    _, entitlement_id = _committed_free_services(engine)
    results = _race(
        engine,
        lambda s: entitlement_service.consume(session=s, entitlement_id=entitlement_id, on=ON),
    )
    assert results.count(True) == 3
    with Session(engine) as session:
        assert (
            entitlement_service.get_or_raise(session=session, entitlement_id=entitlement_id).used
            == 3
        )


def test_restore_under_concurrent_threads_never_goes_below_zero(engine: Engine) -> None:
    """Ten threads restoring an entitlement with 3 used: exactly 3 succeed, used ends at 0."""
    _, entitlement_id = _committed_free_services(engine)
    with Session(engine) as session:
        for _ in range(3):
            entitlement_service.consume(session=session, entitlement_id=entitlement_id, on=ON)
        session.commit()
    results = _race(
        engine, lambda s: entitlement_service.restore(session=s, entitlement_id=entitlement_id)
    )
    assert results.count(True) == 3
    with Session(engine) as session:
        assert (
            entitlement_service.get_or_raise(session=session, entitlement_id=entitlement_id).used
            == 0
        )


def test_concurrent_requests_get_free_service_exactly_total_times(engine: Engine) -> None:
    """Ten agents opening a periodic service for the same motorcycle at once: 3 free, 7 paid."""
    asset_id, _ = _committed_free_services(engine)
    with Session(engine) as session:
        region_id = make_region(session).id or 0
    coverages: list[Coverage] = []
    lock = threading.Lock()

    def open_request(session: Session) -> None:
        request = make_request(
            session,
            asset=asset_service.get_or_raise(session=session, asset_id=asset_id),
            region=region_service.get_or_raise(session=session, region_id=region_id),
            kind=VisitKind.PERIODIC_SERVICE,
        )
        with lock:
            coverages.append(request.coverage)

    assert _race(engine, open_request).count(True) == THREADS
    assert coverages.count(Coverage.ENTITLEMENT) == 3
    assert coverages.count(Coverage.PAID) == 7
