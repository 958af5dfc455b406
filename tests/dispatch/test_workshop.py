"""Partner workshops: slots from opening hours, nearest first; bay bookings that consume and
return the free service entitlement, never over-book a slot, and replay an Idempotency-Key."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from dispatch.entitlement.models import Entitlement, EntitlementKind
from dispatch.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidInput,
    SlotUnavailable,
    WorkshopFull,
)
from dispatch.product.models import VisitKind
from dispatch.request.models import Coverage, RequestStatus, ServiceRequest
from dispatch.workshop import booking as bay_booking
from dispatch.workshop import slots as bay_slots
from dispatch.workshop.models import (
    OpeningHours,
    WorkshopBooking,
    WorkshopBookingCreate,
    WorkshopBookingStatus,
)
from tests.dispatch.workshop_support import NOW, make_workshop, motorcycle
from tests.factories import DAY, local, make_asset, make_motorcycle_model, make_region, make_request

THREADS = 8


def _user(session: Session) -> int:
    from dispatch.account import service as account_service
    from dispatch.account.models import Role, UserCreate

    user, _ = account_service.create(
        session=session, user_in=UserCreate(name=f"d{uuid.uuid4().hex[:6]}", role=Role.ADMIN)
    )
    return user.id or 0


def _book(
    session: Session,
    asset_id: int,
    workshop_id: int,
    start: datetime,
    *,
    key: str | None = None,
    user_id: int | None = None,
    kind: VisitKind = VisitKind.PERIODIC_SERVICE,
) -> WorkshopBooking:
    from dispatch.asset import service as asset_service

    asset = asset_service.get_or_raise(session=session, asset_id=asset_id)
    booking_in = WorkshopBookingCreate(
        workshop_id=workshop_id, asset_id=asset_id, kind=kind, slot_start=start
    )
    booking, _ = bay_booking.book(
        session=session,
        user_id=user_id or _user(session),
        idempotency_key=key or uuid.uuid4().hex,
        booking_in=booking_in,
        asset=asset,
        now=NOW,
    )
    return booking


def _free_services_used(session: Session, asset_id: int) -> int:
    row = session.exec(
        select(Entitlement).where(
            Entitlement.asset_id == asset_id, Entitlement.kind == EntitlementKind.FREE_SERVICE
        )
    ).one()
    session.refresh(row)
    return row.used


def test_slots_follow_opening_hours_in_the_region_time(session: Session) -> None:
    """08-12 in 1-hour slots: 08, 09, 10, 11 local; 08:00 is within the 2-hour lead, so gone."""
    region = make_region(session)
    workshop = make_workshop(session, region)
    offers = bay_slots.nearby_slots(
        session=session, asset=motorcycle(session), kind=VisitKind.OIL_CHANGE,
        max_km=20, first=DAY, last=DAY, now=NOW,
    )  # fmt: skip
    assert [o.local_window for o in offers] == ["09:00-10:00", "10:00-11:00", "11:00-12:00"]
    assert offers[0].slot_start == local(DAY, 9) and offers[0].free_bays == workshop.bays


def test_closed_weekday_has_no_slots(session: Session) -> None:
    """Sunday is not in the opening hours: no slot that day."""
    region = make_region(session)
    make_workshop(session, region)
    sunday = DAY + timedelta(days=5)
    offers = bay_slots.nearby_slots(
        session=session, asset=motorcycle(session), kind=VisitKind.OIL_CHANGE,
        max_km=20, first=sunday, last=sunday, now=NOW,
    )  # fmt: skip
    assert offers == []


def test_slots_are_sorted_by_distance_and_far_or_other_workshops_left_out(
    session: Session,
) -> None:
    """Nearest workshop first; one beyond max_km and one without the service are not offered."""
    region = make_region(session)
    far = make_workshop(session, region, name="Bengkel Bekasi", lat=-6.2383, lon=106.9756)
    near = make_workshop(session, region, name="Bengkel Kebayoran", lat=-6.2600, lon=106.8100)
    mid = make_workshop(session, region, name="Bengkel Blok M")
    make_workshop(
        session, region, name="Bengkel Cat", lat=-6.2610, lon=106.8105,
        services=[VisitKind.REPAIR],
    )  # fmt: skip
    offers = bay_slots.nearby_slots(
        session=session, asset=motorcycle(session), kind=VisitKind.PERIODIC_SERVICE,
        max_km=10, first=DAY, last=DAY, now=NOW,
    )  # fmt: skip
    order = list(dict.fromkeys(o.workshop_id for o in offers))
    assert order == [near.id, mid.id]
    assert far.id not in order
    distances = [o.distance_km for o in offers]
    assert distances == sorted(distances) and distances[0] < 1.0


def test_asset_without_coordinates_is_refused(session: Session) -> None:
    region = make_region(session)
    make_workshop(session, region)
    asset = make_asset(session, product_model=make_motorcycle_model(session))
    asset.lat = asset.lon = None  # a unit whose owner gave no address yet
    with pytest.raises(InvalidInput, match="no coordinates"):
        bay_slots.nearby_slots(
            session=session, asset=asset, kind=VisitKind.OIL_CHANGE, max_km=20, now=NOW
        )


def test_booking_consumes_the_free_service_and_cancel_returns_it(session: Session) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region)
    asset = motorcycle(session)
    booking = _book(session, asset.id or 0, workshop.id or 0, local(DAY, 9))
    request = session.get(ServiceRequest, booking.request_id)
    assert request is not None and request.coverage is Coverage.ENTITLEMENT
    assert request.price == 0 and request.first_response_at == NOW
    assert booking.bay == 1 and _free_services_used(session, asset.id or 0) == 1
    bay_booking.cancel(session=session, booking=booking, now=NOW)
    assert booking.status is WorkshopBookingStatus.CANCELLED
    assert _free_services_used(session, asset.id or 0) == 0
    session.refresh(request)
    assert request.status is RequestStatus.CANCELLED
    with pytest.raises(Conflict, match="cancelled"):
        bay_booking.cancel(session=session, booking=booking, now=NOW)
    assert _free_services_used(session, asset.id or 0) == 0


def test_complete_resolves_the_request_and_a_completed_booking_cannot_be_cancelled(
    session: Session,
) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region)
    asset = motorcycle(session)
    booking = _book(session, asset.id or 0, workshop.id or 0, local(DAY, 10))
    bay_booking.complete(session=session, booking=booking, now=local(DAY, 11))
    request = session.get(ServiceRequest, booking.request_id)
    assert request is not None and request.status is RequestStatus.RESOLVED
    with pytest.raises(Conflict):
        bay_booking.cancel(session=session, booking=booking, now=NOW)
    assert _free_services_used(session, asset.id or 0) == 1


def test_a_full_slot_is_refused_and_no_longer_offered(session: Session) -> None:
    """2 bays: two bookings fill the slot; a third is WorkshopFull, and the slot disappears."""
    region = make_region(session)
    workshop = make_workshop(session, region)
    start = local(DAY, 9)
    bays = [_book(session, motorcycle(session).id or 0, workshop.id or 0, start).bay for _ in "ab"]
    assert sorted(bays) == [1, 2]
    with pytest.raises(WorkshopFull) as refused:
        _book(session, motorcycle(session).id or 0, workshop.id or 0, start)
    assert isinstance(refused.value, SlotUnavailable)
    offers = bay_slots.nearby_slots(
        session=session, asset=motorcycle(session), kind=VisitKind.OIL_CHANGE,
        max_km=20, first=DAY, last=DAY, now=NOW,
    )  # fmt: skip
    assert start not in [o.slot_start for o in offers]


def test_a_cancelled_booking_frees_its_bay(session: Session) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region, bays=1)
    first = _book(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    bay_booking.cancel(session=session, booking=first, now=NOW)
    again = _book(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    assert again.bay == 1


def test_the_database_refuses_a_bay_held_twice(session: Session) -> None:
    """Even past the service, the partial unique index refuses a second hold of one bay."""
    region = make_region(session)
    workshop = make_workshop(session, region)
    booking = _book(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))
    other = make_request(
        session, asset=motorcycle(session), region=region, kind=VisitKind.OIL_CHANGE
    )
    data = booking.model_dump(exclude={"id"}) | {
        "request_id": other.id,
        "asset_id": other.asset_id,
    }
    twin = WorkshopBooking(**data)
    session.add(twin)
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize(
    ("start", "match"),
    [
        (local(DAY, 9, 30), "not a slot"),  # between slots
        (local(DAY, 12), "not a slot"),  # closing time
        (local(DAY, 8), "too soon"),  # inside the 2-hour lead
        (local(DAY + timedelta(days=90), 9), "too far"),
    ],
)
def test_a_time_that_is_not_a_bookable_slot_is_refused(
    session: Session, start: datetime, match: str
) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region)
    asset = motorcycle(session)
    with pytest.raises(InvalidInput, match=match):
        _book(session, asset.id or 0, workshop.id or 0, start)
    assert _free_services_used(session, asset.id or 0) == 0


def test_a_service_the_workshop_does_not_offer_is_refused(session: Session) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region, services=[VisitKind.OIL_CHANGE])
    with pytest.raises(InvalidInput, match="does not offer"):
        _book(session, motorcycle(session).id or 0, workshop.id or 0, local(DAY, 9))


def test_one_booking_of_a_kind_per_asset_at_a_time(session: Session) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region)
    asset = motorcycle(session)
    _book(session, asset.id or 0, workshop.id or 0, local(DAY, 9))
    with pytest.raises(Conflict, match="already has"):
        _book(session, asset.id or 0, workshop.id or 0, local(DAY, 10))
    oil = _book(session, asset.id or 0, workshop.id or 0, local(DAY, 10), kind=VisitKind.OIL_CHANGE)
    assert oil.kind is VisitKind.OIL_CHANGE
    assert _free_services_used(session, asset.id or 0) == 1


def test_used_up_entitlement_makes_the_booking_paid(session: Session) -> None:
    """The 4th service is paid at the product's price, as for home visits."""
    region = make_region(session)
    workshop = make_workshop(session, region, bays=5)
    asset = motorcycle(session)
    coverages = []
    for hour in (9, 10, 11, 9):
        day = DAY if len(coverages) < 3 else DAY + timedelta(days=1)
        booking = _book(session, asset.id or 0, workshop.id or 0, local(day, hour))
        request = session.get(ServiceRequest, booking.request_id)
        assert request is not None
        coverages.append((request.coverage, request.price))
        bay_booking.complete(session=session, booking=booking, now=NOW)
    assert coverages == [(Coverage.ENTITLEMENT, 0)] * 3 + [(Coverage.PAID, 120_000)]


def test_idempotency_key_replays_and_refuses_another_body(session: Session) -> None:
    region = make_region(session)
    workshop = make_workshop(session, region)
    asset = motorcycle(session)
    user_id = _user(session)
    first = _book(session, asset.id or 0, workshop.id or 0, local(DAY, 9), key="k", user_id=user_id)
    again = _book(session, asset.id or 0, workshop.id or 0, local(DAY, 9), key="k", user_id=user_id)
    assert again.id == first.id and _free_services_used(session, asset.id or 0) == 1
    with pytest.raises(IdempotencyKeyReused):
        _book(session, asset.id or 0, workshop.id or 0, local(DAY, 10), key="k", user_id=user_id)


def test_opening_hours_must_open_before_they_close() -> None:
    with pytest.raises(ValueError, match="opens must be before closes"):
        OpeningHours(weekday=0, opens=time(12), closes=time(8))


def test_racing_bookings_never_over_book_a_slot(engine: Engine) -> None:
    """Eight customers race for a slot with 3 bays: exactly 3 bookings, 5 WorkshopFull, each
    bay held once, and only the winners' free services used."""
    with Session(engine) as session:
        region = make_region(session)
        workshop_id = make_workshop(session, region, bays=3).id or 0
        assets = [motorcycle(session).id or 0 for _ in range(THREADS)]
        user_id = _user(session)
    barrier = threading.Barrier(THREADS)

    def one(asset_id: int) -> bool:
        with Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                _book(session, asset_id, workshop_id, local(DAY, 9), user_id=user_id)
            except WorkshopFull:
                session.rollback()
                return False
            return True

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(one, assets))
    assert results.count(True) == 3
    with Session(engine) as session:
        held = session.exec(
            select(WorkshopBooking.bay).where(WorkshopBooking.workshop_id == workshop_id)
        ).all()
        assert sorted(held) == [1, 2, 3]
        used = [_free_services_used(session, a) for a in assets]
        assert sorted(used) == [0] * 5 + [1] * 3


def test_a_home_booking_is_refused_while_a_workshop_holds_the_service(session: Session) -> None:
    """The workshop booking's request is not reused for a home visit: one booking per kind."""
    from dispatch.booking import service as booking_service
    from tests.dispatch.booking_day import booking_in

    region = make_region(session)
    workshop = make_workshop(session, region)
    asset = motorcycle(session)
    held = _book(session, asset.id or 0, workshop.id or 0, local(DAY, 9))
    home = booking_in(asset, DAY + timedelta(days=1), 8, kind=VisitKind.PERIODIC_SERVICE)
    with pytest.raises(Conflict, match=f"at a workshop \\({held.id}\\)"):
        booking_service.book(
            session=session, user_id=_user(session), idempotency_key="home", booking_in=home,
            asset=asset, region=region, now=NOW,
        )  # fmt: skip
    assert _free_services_used(session, asset.id or 0) == 1


def test_a_workshop_booking_is_refused_while_a_home_visit_is_booked(session: Session) -> None:
    from tests.factories import make_visit

    region = make_region(session)
    workshop = make_workshop(session, region)
    asset = motorcycle(session)
    request = make_request(session, asset=asset, region=region, kind=VisitKind.PERIODIC_SERVICE)
    make_visit(session, request=request, window_start=local(DAY, 8), window_end=local(DAY, 10))
    with pytest.raises(Conflict, match="already has"):
        _book(session, asset.id or 0, workshop.id or 0, local(DAY, 9))
    assert _free_services_used(session, asset.id or 0) == 1
