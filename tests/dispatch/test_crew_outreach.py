"""Crew visits and the customer's messages: "on the way" names the whole crew, is sent once
whichever member sets off first (and not again when the other does), and its ETA is the last
member's arrival."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from dispatch.config import Settings
from dispatch.customer.models import Customer, Language
from dispatch.field import service as field_service
from dispatch.field.models import VisitEvent, VisitEventCreate
from dispatch.outreach.models import MessageKind, OutboxMessage
from dispatch.planning import travel as planning_travel
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit import crew
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit
from tests.dispatch.planning_day import KEMANG, two_technicians
from tests.dispatch.week_world import promised
from tests.factories import DAY, local, make_region

SETTINGS = Settings(_env_file=None, public_base_url="https://purna.example")  # type: ignore[call-arg]


def crew_visit(session: Session, language: Language) -> tuple[Visit, list[Technician]]:
    """A visit at Kemang for two technicians (bases Blok M and Tebet) at 09:30, planned on the
    first, both in its crew; its customer reads the given language."""
    region = make_region(session)
    techs = two_technicians(session, region)
    visit = promised(session, region, KEMANG, DAY, 9)
    visit.crew_size = 2
    customer = session.get(Customer, visit.request.customer_id)
    assert customer is not None
    customer.language = language
    start = local(DAY, 9, 30)
    visit_service.set_planned(
        session=session,
        visit=visit,
        technician_id=techs[0].id or 0,
        start=start,
        end=start + timedelta(hours=1),
    )
    crew.set_members(session=session, visit=visit, technician_ids=[t.id or 0 for t in techs])
    session.commit()
    return visit, techs


def set_off(session: Session, visit: Visit, at: datetime) -> Visit:
    event = VisitEventCreate(event=VisitEvent.EN_ROUTE, at=at)
    return field_service.record_event(
        session=session, visit=visit, event_in=event, settings=SETTINGS
    )


def on_the_way(session: Session) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == MessageKind.ON_THE_WAY)
    return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def test_on_the_way_names_the_crew_and_is_sent_once(session: Session) -> None:
    """One member sets off at 08:50 and the partner at 08:55: the customer gets one message
    naming both, in Indonesian."""
    visit, techs = crew_visit(session, Language.ID)
    set_off(session, visit, local(DAY, 8, 50))
    set_off(session, visit, local(DAY, 8, 55))
    (message,) = on_the_way(session)
    first, partner = (t.name.split()[0] for t in techs)
    assert message.subject == f"Teknisi {first} dan {partner} sedang menuju lokasi Anda"
    assert f"{first} dan {partner}" in message.body


def test_on_the_way_in_english_reads_for_a_crew(session: Session) -> None:
    """In English the crew is "A and B", and the sentence holds for two people."""
    visit, techs = crew_visit(session, Language.EN)
    set_off(session, visit, local(DAY, 8, 50))
    (message,) = on_the_way(session)
    first, partner = (t.name.split()[0] for t in techs)
    assert message.subject == f"On the way to you: {first} and {partner}"
    assert f"{first} and {partner} from our service team set off" in message.body


def test_crew_eta_is_the_last_members_arrival(session: Session) -> None:
    """Without a published plan each member drives from their base: Blok M is nearer Kemang
    than Tebet, so the ETA is the partner's, from Tebet."""
    visit, techs = crew_visit(session, Language.ID)
    departed = local(DAY, 8, 50)
    set_off(session, visit, departed)
    region = session.get(Region, visit.region_id)
    assert region is not None
    drives = [
        planning_travel.drive_s(region, DAY, (t.start_lat, t.start_lon), (visit.lat, visit.lon))
        for t in techs
    ]
    assert drives[0] < drives[1]
    (message,) = on_the_way(session)
    assert datetime.fromisoformat(message.data["eta_at"]) == departed + timedelta(seconds=drives[1])
