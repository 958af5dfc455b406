"""Technician tables and schemas: region, start location, skills (one row per skill)."""

from typing import Annotated

from pydantic import StringConstraints, field_validator
from sqlmodel import Field, Relationship, SQLModel

from dispatch import columns as _columns  # noqa: F401  (constraint naming before any table)

# A skill is a short snake_case word ("ac_install", "motorcycle_service"); visits need skills,
# technicians have them, and a product's policy names the skill each kind of visit needs.
Skill = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
MAX_OVERTIME_S = 6 * 3600


def _unique_sorted(skills: list[str] | None) -> list[str] | None:
    return None if skills is None else sorted(set(skills))


class TechnicianBase(SQLModel):
    name: str = Field(min_length=1, max_length=120)
    phone: str = Field(min_length=3, max_length=32)
    region_id: int = Field(foreign_key="region.id", index=True)
    start_lat: float = Field(ge=-90, le=90)
    start_lon: float = Field(ge=-180, le=180)
    start_label: str = Field(default="service centre", max_length=120)
    active: bool = True
    max_overtime_s: int = Field(default=0, ge=0, le=MAX_OVERTIME_S)
    capacity: int | None = Field(default=None, ge=0, description="visits a day at most")


class TechnicianSkill(SQLModel, table=True):
    """One skill of one technician; a row per skill so "who can do X" is a plain indexed join."""

    __tablename__ = "technician_skill"

    technician_id: int = Field(foreign_key="technician.id", primary_key=True, ondelete="CASCADE")
    skill: str = Field(primary_key=True, max_length=40, index=True)


class Technician(TechnicianBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    skill_rows: list[TechnicianSkill] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "cascade": "all, delete-orphan"}
    )

    @property
    def skills(self) -> list[str]:
        """The technician's skills, sorted."""
        return sorted(row.skill for row in self.skill_rows)


class TechnicianCreate(TechnicianBase):
    skills: list[Skill] = Field(default_factory=list)

    _dedupe = field_validator("skills")(_unique_sorted)


class TechnicianUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    phone: str | None = Field(default=None, min_length=3, max_length=32)
    region_id: int | None = None
    start_lat: float | None = Field(default=None, ge=-90, le=90)
    start_lon: float | None = Field(default=None, ge=-180, le=180)
    start_label: str | None = Field(default=None, max_length=120)
    active: bool | None = None
    max_overtime_s: int | None = Field(default=None, ge=0, le=MAX_OVERTIME_S)
    capacity: int | None = Field(default=None, ge=0)
    skills: list[Skill] | None = None

    _dedupe = field_validator("skills")(_unique_sorted)


class TechnicianPublic(TechnicianBase):
    id: int
    skills: list[str]


class TechniciansPublic(SQLModel):
    data: list[TechnicianPublic]
    count: int
