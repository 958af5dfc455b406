"""Visits: defaults from the request and policy, listing by local day, editing and pinning."""

from datetime import date

import pytest
from sqlmodel import Session

from dispatch.errors import Conflict, InvalidInput
from dispatch.product.models import VisitKind
from dispatch.region import service as region_service
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitCreate, VisitStatus, VisitUpdate
from tests.factories import (
    DAY,
    local,
    make_asset,
    make_customer,
    make_region,
    make_request,
    make_technician,
    make_visit,
)

S = VisitStatus


def test_create_takes_defaults_from_request_asset_and_policy(session: Session) -> None:
    """Location from the asset, duration and skill from the policy, priority from the request."""
    request = make_request(session, kind=VisitKind.REPAIR, priority=4)
    visit = visit_service.create(session=session, visit_in=VisitCreate(request_id=request.id or 0))
    assert (visit.status, visit.region_id, visit.priority) == (S.REQUESTED, request.region_id, 4)
    assert (visit.duration_s, visit.required_skills) == (5400, ["ac_repair"])
    assert (visit.lat, visit.lon) == (-6.2607, 106.8137)


def test_create_for_asset_without_coordinates_is_invalid(session: Session) -> None:
    """A visit needs coordinates; an asset without them must be geocoded first."""
    customer = make_customer(session, lat=None, lon=None)
    request = make_request(session, asset=make_asset(session, customer=customer))
    with pytest.raises(InvalidInput, match="no coordinates"):
        visit_service.create(session=session, visit_in=VisitCreate(request_id=request.id or 0))


def test_create_for_closed_request_is_conflict(session: Session) -> None:
    """No new visit for a request already resolved."""
    visit = make_visit(session, status=S.COMPLETED)
    with pytest.raises(Conflict, match="resolved"):
        visit_service.create(session=session, visit_in=VisitCreate(request_id=visit.request_id))


def test_window_must_end_after_it_starts(session: Session) -> None:
    """A window that ends before it starts is refused when the visit is described."""
    with pytest.raises(ValueError, match="window_end must be after window_start"):
        VisitCreate(request_id=1, window_start=local(DAY, 12), window_end=local(DAY, 9))


def test_list_for_day_uses_region_local_day(session: Session) -> None:
    """Visits are listed by the Jakarta day their window overlaps, in window order."""
    region = make_region(session)
    early = make_visit(
        session,
        request=make_request(session, region=region),
        window_start=local(DAY, 7),
        window_end=local(DAY, 9),
    )
    late = make_visit(
        session,
        request=make_request(session, region=region),
        window_start=local(DAY, 22),
        window_end=local(DAY, 23, 59),
    )
    make_visit(session, request=make_request(session, region=region), day=date(2026, 3, 11))
    make_visit(session, request=make_request(session), day=DAY)  # another region
    listed = visit_service.list_for_day(session=session, region=region, day=DAY)
    assert [v.id for v in listed] == [early.id, late.id]


def test_list_for_day_filters_statuses(session: Session) -> None:
    """Only the statuses asked for are listed (the planner wants booked and planned)."""
    region = make_region(session)
    booked = make_visit(session, request=make_request(session, region=region))
    make_visit(session, request=make_request(session, region=region), status=S.CANCELLED)
    listed = visit_service.list_for_day(
        session=session, region=region, day=DAY, statuses=[S.BOOKED, S.PLANNED]
    )
    assert [v.id for v in listed] == [booked.id]


def test_route_for_day_lists_technicians_planned_visits_in_order(session: Session) -> None:
    """A technician's route lists its planned visits by planned start."""
    visit = make_visit(session, status=S.PLANNED)
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    route = visit_service.route_for_day(
        session=session, technician_id=visit.planned_technician_id or 0, region=region, day=DAY
    )
    assert [v.id for v in route] == [visit.id]
    assert (
        visit_service.route_for_day(
            session=session,
            technician_id=visit.planned_technician_id or 0,
            region=region,
            day=date(2026, 3, 11),
        )
        == []
    )


def test_pin_and_unpin_technician(session: Session) -> None:
    """A suitable technician can be pinned, and unpinned again."""
    visit = make_visit(session)
    technician = make_technician(
        session, region=region_service.get_or_raise(session=session, region_id=visit.region_id)
    )
    visit_service.pin(session=session, visit=visit, technician_id=technician.id or 0)
    assert visit.pinned_technician_id == technician.id
    visit_service.unpin(session=session, visit=visit)
    assert visit.pinned_technician_id is None


def test_pin_technician_without_skill_is_invalid(session: Session) -> None:
    """A technician lacking the visit's skill cannot be pinned to it."""
    visit = make_visit(session)
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    washer = make_technician(session, region=region, skills=("washer_repair",))
    with pytest.raises(InvalidInput, match="lacks skills ac_install"):
        visit_service.pin(session=session, visit=visit, technician_id=washer.id or 0)


def test_pin_inactive_technician_is_invalid(session: Session) -> None:
    """An inactive technician cannot be pinned."""
    visit = make_visit(session)
    region = region_service.get_or_raise(session=session, region_id=visit.region_id)
    retired = make_technician(session, region=region, active=False)
    with pytest.raises(InvalidInput, match="not active"):
        visit_service.pin(session=session, visit=visit, technician_id=retired.id or 0)


def test_pin_visit_under_way_is_conflict(session: Session) -> None:
    """Once the technician has set off, the visit can no longer be pinned."""
    visit = make_visit(session, status=S.EN_ROUTE)
    with pytest.raises(Conflict, match="no longer be changed"):
        visit_service.pin(
            session=session, visit=visit, technician_id=visit.planned_technician_id or 0
        )


def test_update_changes_fields_before_departure(session: Session) -> None:
    """A dispatcher may change duration and priority of a booked visit."""
    visit = make_visit(session)
    visit_service.update(
        session=session, visit=visit, visit_in=VisitUpdate(duration_s=3 * 3600, priority=5)
    )
    assert (visit.duration_s, visit.priority) == (3 * 3600, 5)


def test_update_completed_visit_is_conflict(session: Session) -> None:
    """A completed visit is history: no edits."""
    visit = make_visit(session, status=S.COMPLETED)
    with pytest.raises(Conflict):
        visit_service.update(session=session, visit=visit, visit_in=VisitUpdate(priority=5))
