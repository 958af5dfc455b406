"""Two-technician visits in the field: each member's route shows the partner, and the events
of both phones move the visit once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dispatch.access import scope as access_scope
from dispatch.account import service as account_service
from dispatch.field import service as field_service
from dispatch.outreach import outbox
from dispatch.outreach.models import MessageKind
from dispatch.visit import crew
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit
from tests.api import dispatch_support as support
from tests.api.dispatch_support import World
from tests.factories import DAY, local

api_template, world = support.api_template, support.world  # fixtures


def _crew_visit(world: World, members: int = 2) -> int:
    """The first visit of region a needing a crew of `members`, planned at 09:30 for both of
    region a's technicians (as publishing a plan with it does); its id."""
    with world.session() as session:
        visit = session.get(Visit, world.visits_a[0].id)
        assert visit is not None
        visit.crew_size = members
        start = local(DAY, 9, 30)
        lead, partner = world.techs_a
        visit_service.set_planned(
            session=session,
            visit=visit,
            technician_id=lead.id or 0,
            start=start,
            end=start + timedelta(seconds=visit.duration_s),
        )
        if members > 1:
            crew.set_members(
                session=session, visit=visit, technician_ids=[lead.id or 0, partner.id or 0]
            )
        session.commit()
        return visit.id or 0


def _event(world: World, who: str, visit_id: int, event: str, at: datetime) -> Any:
    body = {"event": event, "at": at.isoformat()}
    return world.post(who, f"/v1/visits/{visit_id}/events", json=body)


def _stop(world: World, who: str, visit_id: int) -> dict[str, Any]:
    route = world.get(who, "/v1/me/route", params={"day": str(DAY)}).json()
    return next(s for s in route["stops"] if s["visit_id"] == visit_id)


def test_my_route_shows_the_partner_of_a_crew_visit(world: World) -> None:
    """Both members have the visit on their route, each with the other's name."""
    visit_id = _crew_visit(world)
    lead, partner = world.techs_a
    mine, theirs = _stop(world, "tech_a0", visit_id), _stop(world, "tech_a1", visit_id)
    assert (mine["crew_size"], mine["partner_names"]) == (2, [partner.name])
    assert (theirs["crew_size"], theirs["partner_names"]) == (2, [lead.name])
    assert mine["planned_start"] == theirs["planned_start"]


def test_visit_served_alone_names_no_partner_and_is_not_on_the_others_route(world: World) -> None:
    """A visit of one technician: no partner, and the other technician does not see it."""
    visit_id = _crew_visit(world, members=1)
    assert _stop(world, "tech_a0", visit_id)["partner_names"] == []
    route = world.get("tech_a1", "/v1/me/route", params={"day": str(DAY)}).json()
    assert visit_id not in [s["visit_id"] for s in route["stops"]]
    assert _event(world, "tech_a1", visit_id, "en_route", local(DAY, 9)).status_code == 404


def test_completing_a_crew_visit_from_both_phones_completes_it_once(world: World) -> None:
    """Both set off and arrive; the lead completes at 10:30, the partner's 'completed' at 10:32
    changes nothing: one completion time, one survey queued, both see it done."""
    visit_id = _crew_visit(world)
    for who in ("tech_a0", "tech_a1"):
        assert _event(world, who, visit_id, "en_route", local(DAY, 9, 5)).status_code == 200
    assert _event(world, "tech_a1", visit_id, "arrived", local(DAY, 9, 25)).status_code == 200
    assert _event(world, "tech_a0", visit_id, "arrived", local(DAY, 9, 28)).status_code == 200
    first = _event(world, "tech_a0", visit_id, "completed", local(DAY, 10, 30))
    second = _event(world, "tech_a1", visit_id, "completed", local(DAY, 10, 32))
    assert (first.status_code, second.status_code) == (200, 200)
    ended = [datetime.fromisoformat(r.json()["visit"]["ended_at"]) for r in (first, second)]
    assert ended == [local(DAY, 10, 30)] * 2
    assert datetime.fromisoformat(first.json()["visit"]["arrived_at"]) == local(DAY, 9, 25)
    with world.session() as session:
        surveys = outbox.keys_for_visits(
            session=session, visit_ids=[visit_id], kinds=[MessageKind.SURVEY]
        )
    assert len(surveys) == 1
    for who in ("tech_a0", "tech_a1"):
        assert _stop(world, who, visit_id)["status"] == "completed"
    assert second.json()["route"]["technician_id"] == world.techs_a[1].id


def test_completing_a_visit_served_alone_twice_is_refused(world: World) -> None:
    """Without a crew, a second 'completed' is a 409: the visit has already ended."""
    visit_id = _crew_visit(world, members=1)
    for event, minute in (("en_route", 5), ("arrived", 25), ("completed", 90)):
        at = local(DAY, 9) + timedelta(minutes=minute)
        assert _event(world, "tech_a0", visit_id, event, at).status_code == 200
    again = _event(world, "tech_a0", visit_id, "completed", local(DAY, 10, 40))
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "invalid_transition"


def test_crew_partner_failing_a_completed_visit_is_refused(world: World) -> None:
    """Once the lead has completed it, the partner cannot fail it."""
    visit_id = _crew_visit(world)
    for event, minute in (("en_route", 5), ("arrived", 25), ("completed", 90)):
        at = local(DAY, 9) + timedelta(minutes=minute)
        assert _event(world, "tech_a0", visit_id, event, at).status_code == 200
    body = {"event": "failed", "at": local(DAY, 10, 45).isoformat(), "failure_reason": "other"}
    refused = world.post("tech_a1", f"/v1/visits/{visit_id}/events", json=body)
    assert refused.status_code == 409


def test_the_partner_reaches_the_crew_visits_customer_on_its_day(world: World) -> None:
    """On the crew visit's day the partner, not only the planned technician, reaches its
    customer and sees the phone on its route, as the first member does."""
    visit_id = _crew_visit(world)
    with world.session() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None
        customer_id = visit.request.customer_id
        for who, technician in zip(("tech_a0", "tech_a1"), world.techs_a, strict=True):
            user = account_service.get_by_name(session=session, name=who)
            assert user is not None
            scope = access_scope.scope_for(session=session, user=user, now=local(DAY, 12))
            assert access_scope.customer_in_reach(
                session=session, scope=scope, customer_id=customer_id
            )
            route = field_service.route_for_day(
                session=session, technician=technician, day=DAY, viewer=scope, now=local(DAY, 12)
            )
            stop = next(s for s in route.stops if s.visit_id == visit_id)
            assert stop.customer_phone is not None
