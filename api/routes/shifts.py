"""A technician's working time, for dispatchers: the weekly shifts and dated absences.

Absences are the shift exceptions of dispatch.shift: leave or sickness (a whole or part of a
day) and extra shifts; one per technician and day, so the day names it in the path.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from api.deps import DispatchTechnicianDep, SessionDep
from dispatch.shift import service as shift_service
from dispatch.shift.models import (
    ShiftException,
    ShiftExceptionCreate,
    ShiftExceptionPublic,
    ShiftExceptionsPublic,
    WeeklyShiftCreate,
    WeeklyShiftPublic,
    WeeklyShiftsPublic,
)

router = APIRouter(prefix="/technicians/{technician_id}", tags=["technicians"])


@router.get("/shifts", response_model=WeeklyShiftsPublic)
def read_shifts(session: SessionDep, technician: DispatchTechnicianDep) -> WeeklyShiftsPublic:
    """The weekly pattern, Monday first; weekdays without a shift are days off."""
    rows = shift_service.weekly_pattern(session=session, technician_id=technician.id or 0)
    data = [WeeklyShiftPublic.model_validate(r, from_attributes=True) for r in rows]
    return WeeklyShiftsPublic(data=data, count=len(data))


@router.put("/shifts", response_model=WeeklyShiftsPublic)
def replace_shifts(
    session: SessionDep,
    technician: DispatchTechnicianDep,
    shifts: Annotated[list[WeeklyShiftCreate], Body(max_length=7)],
) -> WeeklyShiftsPublic:
    """Replace the weekly pattern; weekdays not given become days off."""
    rows = shift_service.set_weekly_pattern(session=session, technician=technician, shifts=shifts)
    data = [WeeklyShiftPublic.model_validate(r, from_attributes=True) for r in rows]
    return WeeklyShiftsPublic(data=data, count=len(data))


@router.get("/absences", response_model=ShiftExceptionsPublic)
def read_absences(
    session: SessionDep,
    technician: DispatchTechnicianDep,
    start: Annotated[date, Query(alias="from", description="first day, YYYY-MM-DD")],
    end: Annotated[date, Query(alias="to", description="last day, included")],
) -> ShiftExceptionsPublic:
    """Leave, sickness and extra shifts from one day to another (at most a year)."""
    rows = shift_service.list_exceptions(
        session=session, technician_id=technician.id or 0, start=start, end=end
    )
    data = [ShiftExceptionPublic.model_validate(r, from_attributes=True) for r in rows]
    return ShiftExceptionsPublic(data=data, count=len(data))


@router.post("/absences", response_model=ShiftExceptionPublic, status_code=201)
def create_absence(
    session: SessionDep, technician: DispatchTechnicianDep, absence_in: ShiftExceptionCreate
) -> ShiftException:
    """Record leave, sickness or an extra shift on one day (409 when the day has one)."""
    return shift_service.add_exception(
        session=session, technician=technician, exception_in=absence_in
    )


@router.get("/absences/{day}", response_model=ShiftExceptionPublic)
def read_absence(
    session: SessionDep, technician: DispatchTechnicianDep, day: date
) -> ShiftException:
    """The absence or extra shift on day."""
    return shift_service.exception_or_raise(session=session, technician=technician, day=day)


@router.put("/absences/{day}", response_model=ShiftExceptionPublic)
def update_absence(
    session: SessionDep,
    technician: DispatchTechnicianDep,
    day: date,
    absence_in: ShiftExceptionCreate,
) -> ShiftException:
    """Replace the absence on day (its new day may differ, if that day is free)."""
    return shift_service.update_exception(
        session=session, technician=technician, day=day, exception_in=absence_in
    )


@router.delete("/absences/{day}", status_code=204)
def delete_absence(session: SessionDep, technician: DispatchTechnicianDep, day: date) -> Response:
    """Remove the absence on day: the weekly pattern applies again."""
    shift_service.remove_exception(session=session, technician=technician, day=day)
    return Response(status_code=204)
