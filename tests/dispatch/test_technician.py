"""Technicians: skills as rows, finding who has a visit's skills, updates."""

import pytest
from sqlmodel import Session

from dispatch.errors import NotFound
from dispatch.technician import service as technician_service
from dispatch.technician.models import TechnicianCreate, TechnicianPublic, TechnicianUpdate
from tests.factories import make_region, make_technician


def test_create_stores_skills_sorted_without_duplicates(session: Session) -> None:
    """Skills given twice are stored once, and read back sorted."""
    technician = make_technician(session, skills=("ac_service", "ac_install", "ac_service"))
    session.expire_all()
    assert technician_service.get_or_raise(
        session=session, technician_id=technician.id or 0
    ).skills == [
        "ac_install",
        "ac_service",
    ]


def test_create_in_unknown_region_is_not_found(session: Session) -> None:
    """A technician must belong to an existing region."""
    with pytest.raises(NotFound, match="region 999"):
        make_technician(session, region_id=999, region=make_region(session))


def test_skill_must_be_snake_case() -> None:
    """A skill like "AC Install" is refused; skills are short snake_case words."""
    with pytest.raises(ValueError, match="skills"):
        TechnicianCreate(
            name="A", phone="123", region_id=1, start_lat=0, start_lon=0, skills=["AC Install"]
        )


def test_list_for_region_filters_by_all_skills(session: Session) -> None:
    """Only technicians having every skill asked for are listed; inactive ones are left out."""
    region = make_region(session)
    both = make_technician(session, region=region, skills=("ac_install", "ac_repair"))
    make_technician(session, region=region, skills=("ac_install",))
    make_technician(session, region=region, skills=("ac_install", "ac_repair"), active=False)
    make_technician(session, skills=("ac_install", "ac_repair"))  # another region
    found = technician_service.list_for_region(
        session=session, region_id=region.id or 0, skills=["ac_install", "ac_repair"]
    )
    assert [t.id for t in found] == [both.id]


def test_update_replaces_skills_and_keeps_others(session: Session) -> None:
    """Given skills replace the old set; fields not given stay."""
    technician = make_technician(session, skills=("ac_install", "ac_service"))
    technician_service.update(
        session=session,
        technician=technician,
        technician_in=TechnicianUpdate(skills=["ac_service", "washer_repair"]),
    )
    session.expire_all()
    reloaded = technician_service.get_or_raise(session=session, technician_id=technician.id or 0)
    assert reloaded.skills == ["ac_service", "washer_repair"]
    assert reloaded.start_label == "service centre Blok M"


def test_public_schema_shows_skills(session: Session) -> None:
    """The public shape lists skill names, not link rows."""
    technician = make_technician(session, skills=("ac_install",))
    public = TechnicianPublic.model_validate(technician)
    assert public.skills == ["ac_install"]
    assert "skill_rows" not in public.model_dump()
