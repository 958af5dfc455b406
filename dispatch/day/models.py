"""Day view schemas (no tables)."""

from datetime import date

from sqlmodel import Field, SQLModel

from dispatch.jobs.models import SolveJobPublic
from dispatch.planning.models import PlanFigures, PlanPublic
from dispatch.product.models import VisitKind
from dispatch.visit.models import VisitPublic

NOT_IN_PLAN = "not_in_plan"


class DayUnassigned(SQLModel):
    """A visit of the day that the current plan does not route, with the reason."""

    visit_id: int
    reason: str = Field(description="the optimizer's reason code, or not_in_plan")
    message: str


class DayVisit(VisitPublic):
    """A visit of the day with what a dispatcher reads on the board: what and for whom."""

    kind: VisitKind
    product: str = Field(description="brand and model of the unit")
    customer_name: str


class DayPublic(SQLModel):
    """GET /regions/{region}/days/{day}: everything a dispatcher needs to judge the day."""

    region: str
    timezone: str
    day: date
    visits: list[DayVisit]
    plan: PlanPublic | None = Field(
        description="the plan asked for, else the published plan, else the latest draft"
    )
    published_plan_id: int | None = Field(description="the day's published plan, if any")
    unassigned: list[DayUnassigned]
    figures: PlanFigures | None = Field(description="travel, overtime, utilisation of the plan")
    jobs: list[SolveJobPublic] = Field(description="the day's latest solve jobs, newest first")
