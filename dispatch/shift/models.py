"""Shift tables and schemas: a weekly pattern per technician and dated exceptions to it.

Times are seconds from the region's local midnight, as the optimizer reads them; a night
shift may end after midnight (end_s up to 2 days).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, TypeAdapter, model_validator
from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from dispatch.columns import PydanticJSON, enum_type

DAY_S = 24 * 3600
MAX_BREAK_S = 4 * 3600


class BreakWindow(BaseModel):
    """When a break may start: [start_s, end_s] in seconds from local midnight."""

    model_config = ConfigDict(frozen=True)

    start_s: int = Field(ge=0, le=2 * DAY_S)
    end_s: int = Field(ge=0, le=2 * DAY_S)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_s < self.start_s:
            raise ValueError(f"break window ends ({self.end_s}) before it starts ({self.start_s})")
        return self


class BreakRule(BaseModel):
    """A break of duration_s that starts inside one of its windows (lunch, Friday prayer)."""

    model_config = ConfigDict(frozen=True)

    duration_s: int = Field(gt=0, le=MAX_BREAK_S)
    windows: tuple[BreakWindow, ...] = Field(min_length=1)


BREAK_RULES: TypeAdapter[list[BreakRule]] = TypeAdapter(list[BreakRule])


def _check_hours(start_s: int, end_s: int, breaks: list[BreakRule]) -> None:
    if end_s <= start_s:
        raise ValueError(f"shift ends ({end_s}) at or before it starts ({start_s})")
    for rule in breaks:
        for window in rule.windows:
            if window.start_s < start_s or window.end_s + rule.duration_s > end_s:
                raise ValueError(
                    f"break window {window.start_s}-{window.end_s} of {rule.duration_s} s "
                    f"does not fit in the shift {start_s}-{end_s}"
                )


class WeeklyShiftBase(SQLModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    start_s: int = Field(ge=0, le=DAY_S)
    end_s: int = Field(ge=0, le=2 * DAY_S)
    breaks: list[BreakRule] = Field(default_factory=list, sa_type=PydanticJSON(BREAK_RULES))

    @model_validator(mode="after")
    def _hours_fit(self) -> Self:
        _check_hours(self.start_s, self.end_s, self.breaks)
        return self


class WeeklyShift(WeeklyShiftBase, table=True):
    __tablename__ = "weekly_shift"
    __table_args__ = (
        UniqueConstraint("technician_id", "weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("end_s > start_s", name="hours_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id", index=True, ondelete="CASCADE")


class WeeklyShiftCreate(WeeklyShiftBase):
    pass


class WeeklyShiftPublic(WeeklyShiftBase):
    id: int
    technician_id: int


class ExceptionKind(StrEnum):
    LEAVE = "leave"
    SICK = "sick"
    EXTRA_SHIFT = "extra_shift"


class ShiftExceptionBase(SQLModel):
    day: date
    kind: ExceptionKind = Field(sa_type=enum_type(ExceptionKind, "exception_kind"))
    # Replacement hours: an extra shift needs them; leave or sick with hours is a partial day.
    start_s: int | None = Field(default=None, ge=0, le=DAY_S)
    end_s: int | None = Field(default=None, ge=0, le=2 * DAY_S)
    # None: the breaks of that weekday's pattern apply.
    breaks: list[BreakRule] | None = Field(default=None, sa_type=PydanticJSON(BREAK_RULES))
    note: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _hours_given_right(self) -> Self:
        if (self.start_s is None) != (self.end_s is None):
            raise ValueError("give both start_s and end_s, or neither")
        if self.start_s is None or self.end_s is None:
            if self.kind is ExceptionKind.EXTRA_SHIFT:
                raise ValueError("an extra shift needs its hours (start_s and end_s)")
            if self.breaks is not None:
                raise ValueError("breaks need replacement hours (start_s and end_s)")
            return self
        _check_hours(self.start_s, self.end_s, self.breaks or [])
        return self


class ShiftException(ShiftExceptionBase, table=True):
    __tablename__ = "shift_exception"
    __table_args__ = (UniqueConstraint("technician_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id", index=True, ondelete="CASCADE")


class ShiftExceptionCreate(ShiftExceptionBase):
    pass


class ShiftExceptionPublic(ShiftExceptionBase):
    id: int
    technician_id: int


@dataclass(frozen=True, slots=True)
class WorkingDay:
    """The hours and breaks that apply to one technician on one day (local seconds)."""

    technician_id: int
    day: date
    start_s: int
    end_s: int
    breaks: tuple[BreakRule, ...]
    exception: ExceptionKind | None = None  # None: the weekly pattern, unchanged


class WeeklyShiftsPublic(SQLModel):
    data: list[WeeklyShiftPublic]
    count: int


class ShiftExceptionsPublic(SQLModel):
    data: list[ShiftExceptionPublic]
    count: int
