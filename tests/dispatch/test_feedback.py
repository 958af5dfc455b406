"""Surveys: one hashed one-time token per completed visit, validated answers, one answer only."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session

from dispatch.errors import AlreadyAnswered, InvalidInput, NotFound, SurveyExpired
from dispatch.feedback import service as feedback_service
from dispatch.feedback.models import Survey, SurveyAnswer
from dispatch.visit import service as visit_service
from dispatch.visit.models import VisitStatus
from tests.factories import DAY, local, make_technician, make_visit

NOW = local(DAY, 11)


def _issued(session: Session) -> tuple[str, int]:
    technician = make_technician(session, name="Budi Santoso")
    visit = make_visit(session, status=VisitStatus.COMPLETED, technician=technician)
    token = feedback_service.issue(session=session, visit=visit, now=NOW, valid_days=30)
    session.commit()
    assert token is not None
    return token, visit.id or 0


def _survey(session: Session, token: str) -> Survey:
    return feedback_service.get_by_token_or_raise(session=session, token=token)


def test_issue_stores_only_a_hash_and_one_survey_per_visit(session: Session) -> None:
    """The plain token is returned once; the table keeps its SHA-256; a second issue gives None."""
    token, visit_id = _issued(session)
    survey = feedback_service.get_for_visit(session=session, visit_id=visit_id)
    assert survey is not None
    assert survey.token_hash == feedback_service.hash_token(token) != token
    assert survey.expires_at == NOW + timedelta(days=30)
    visit = visit_service.get_or_raise(session=session, visit_id=visit_id)
    assert feedback_service.issue(session=session, visit=visit, now=NOW, valid_days=30) is None


def test_issue_refuses_a_visit_that_is_not_completed(session: Session) -> None:
    """Only a completed visit is surveyed."""
    visit = make_visit(session, status=VisitStatus.FAILED)
    with pytest.raises(InvalidInput, match="is failed, not completed"):
        feedback_service.issue(session=session, visit=visit, now=NOW, valid_days=30)


def test_describe_shows_what_the_survey_is_about(session: Session) -> None:
    """The link shows the kind, product, local day and the technician's first name."""
    token, _ = _issued(session)
    survey = feedback_service.get_by_token_or_raise(session=session, token=token)
    shown = feedback_service.describe(session=session, survey=survey)
    assert shown.kind == "installation"
    assert shown.product.startswith("Sejuk AC Split 1 PK")
    assert shown.visit_day == DAY
    assert shown.technician == "Budi"
    assert shown.answered is False


def test_answer_is_stored_once_and_a_second_is_refused(session: Session) -> None:
    """The first answer is kept; the second raises AlreadyAnswered and changes nothing."""
    token, _ = _issued(session)
    first = SurveyAnswer(csat=5, nps=9, ces=6, comment="Rapi dan cepat")
    survey = feedback_service.answer(
        session=session, survey=_survey(session, token), answer_in=first, now=NOW
    )
    assert (survey.csat, survey.nps, survey.ces, survey.comment) == (5, 9, 6, "Rapi dan cepat")
    assert survey.answered_at == NOW
    second = SurveyAnswer(csat=1, nps=0, ces=1)
    with pytest.raises(AlreadyAnswered, match="already answered"):
        feedback_service.answer(
            session=session, survey=_survey(session, token), answer_in=second, now=NOW
        )
    session.expire_all()
    stored = feedback_service.get_by_token_or_raise(session=session, token=token)
    assert (stored.csat, stored.nps, stored.ces) == (5, 9, 6)


def test_answer_after_expiry_is_refused(session: Session) -> None:
    """A link older than its validity cannot be answered."""
    token, _ = _issued(session)
    late = NOW + timedelta(days=30)
    with pytest.raises(SurveyExpired, match="closed on 2026-04-09"):
        feedback_service.answer(
            session=session,
            survey=_survey(session, token),
            answer_in=SurveyAnswer(csat=4, nps=8, ces=5),
            now=late,
        )


def test_unknown_token_is_not_found(session: Session) -> None:
    """A made-up token says only that the link is not valid."""
    with pytest.raises(NotFound, match="this survey link is not valid"):
        feedback_service.get_by_token_or_raise(session=session, token="made-up")


@pytest.mark.parametrize(
    ("field", "value"),
    [("csat", 0), ("csat", 6), ("nps", -1), ("nps", 11), ("ces", 0), ("ces", 8),
     ("csat", 4.5), ("csat", "4"), ("nps", True)],
)  # fmt: skip
def test_survey_answer_rejects_out_of_range_and_non_integers(field: str, value: object) -> None:
    """Scores outside CSAT 1-5, NPS 0-10, CES 1-7, or not plain integers, are refused."""
    data: dict[str, object] = {"csat": 3, "nps": 7, "ces": 4} | {field: value}
    with pytest.raises(ValidationError) as info:
        SurveyAnswer.model_validate(data)
    assert [e["loc"] for e in info.value.errors()] == [(field,)]


def test_survey_table_checks_score_ranges(session: Session) -> None:
    """The database refuses an out-of-range score even if the code did not check it."""
    token, visit_id = _issued(session)
    survey = feedback_service.get_by_token_or_raise(session=session, token=token)
    survey.csat = 9
    session.add(survey)
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    assert isinstance(survey, Survey) and visit_id > 0
