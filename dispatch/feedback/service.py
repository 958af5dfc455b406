"""Survey services: issue a one-time token for a completed visit, show it, take one answer.

Only the token's SHA-256 is stored (tokens are random, so no salt is needed), and an answer is
one guarded UPDATE ... WHERE answered_at IS NULL, so two answers racing store one.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select, update

from dispatch import events, localtime
from dispatch.asset.models import Asset
from dispatch.errors import AlreadyAnswered, InvalidInput, NotFound, SurveyExpired
from dispatch.feedback.models import Survey, SurveyAnswer, SurveyPublic
from dispatch.region.models import Region
from dispatch.technician.models import Technician
from dispatch.visit.models import Visit, VisitStatus

TOKEN_BYTES = 24
NO_SUCH_SURVEY = "this survey link is not valid."


def hash_token(token: str) -> str:
    """The hex SHA-256 under which a survey token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(*, session: Session, visit: Visit, now: datetime, valid_days: int) -> str | None:
    """Step: a survey for the completed visit and its plain token; None when it already has one."""
    if visit.status is not VisitStatus.COMPLETED:
        raise InvalidInput(f"visit {visit.id} is {visit.status}, not completed.", loc=("status",))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    values = {
        "visit_id": visit.id,
        "customer_id": visit.request.customer_id,
        "token_hash": hash_token(token),
        "created_at": localtime.require_aware(now),
        "expires_at": now + timedelta(days=valid_days),
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Survey)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["visit_id"])
        .returning(col(Survey.id))  # the ORM's rowcount is -1 here; a row says inserted
    )
    return token if session.execute(statement).first() is not None else None


def get_by_token(*, session: Session, token: str) -> Survey | None:
    """The survey this token opens, or None."""
    return session.exec(select(Survey).where(Survey.token_hash == hash_token(token))).first()


def get_by_token_or_raise(*, session: Session, token: str) -> Survey:
    """The survey this token opens; raises NotFound (saying nothing about why)."""
    survey = get_by_token(session=session, token=token)
    if survey is None:
        raise NotFound(NO_SUCH_SURVEY, loc=("token",))
    return survey


def get_for_visit(*, session: Session, visit_id: int) -> Survey | None:
    """The visit's survey, or None."""
    return session.exec(select(Survey).where(Survey.visit_id == visit_id)).first()


def describe(*, session: Session, survey: Survey) -> SurveyPublic:
    """What the link shows the customer: the visit's kind, product, day and technician."""
    visit = session.get(Visit, survey.visit_id)
    if visit is None:
        raise NotFound(NO_SUCH_SURVEY, loc=("token",))
    about = _about(session, visit)
    return SurveyPublic(
        kind=visit.request.kind,
        product=about[0],
        visit_day=about[1],
        technician=about[2],
        expires_at=survey.expires_at,
        answered=survey.answered_at is not None,
        answered_at=survey.answered_at,
    )


def answer(*, session: Session, survey: Survey, answer_in: SurveyAnswer, now: datetime) -> Survey:
    """Store the one answer to the survey; raises AlreadyAnswered or SurveyExpired (409)."""
    now = localtime.require_aware(now, "now")
    if survey.answered_at is not None:
        raise AlreadyAnswered("this survey was already answered; thank you.", loc=("token",))
    if survey.expires_at <= now:
        raise SurveyExpired(f"this survey closed on {survey.expires_at:%Y-%m-%d}.", loc=("token",))
    result = session.execute(
        update(Survey)
        .where(col(Survey.id) == survey.id, col(Survey.answered_at).is_(None))
        .values(answered_at=now, **answer_in.model_dump())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise AlreadyAnswered("this survey was already answered; thank you.", loc=("token",))
    visit = session.get(Visit, survey.visit_id)
    if visit is not None:
        events.publish(events.VisitChanged(session, visit, "survey", "answered", now))
    session.commit()
    session.refresh(survey)
    return survey


def _about(session: Session, visit: Visit) -> tuple[str, date | None, str | None]:
    """(product, local day of the visit, technician first name) for the survey page."""
    asset = session.get(Asset, visit.request.asset_id)
    product = f"{asset.product_model.brand} {asset.product_model.name}" if asset else ""
    technician_id = visit.planned_technician_id
    technician = session.get(Technician, technician_id) if technician_id else None
    name = technician.name.split()[0] if technician and technician.name.strip() else None
    region = session.get(Region, visit.region_id)
    moment = visit.ended_at or visit.window_start
    day = localtime.local_day(moment, region.zone) if moment and region else None
    return product, day, name
