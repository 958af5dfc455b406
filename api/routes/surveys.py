"""Survey links for customers: what the survey is about, and its one answer.

No bearer token: the one-time token in the link is the credential, and an unknown token
answers 404 without saying whether it ever existed.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import SessionDep, SurveyDep
from dispatch.feedback import service as feedback_service
from dispatch.feedback.models import SurveyAnswer, SurveyPublic
from dispatch.localtime import utc_now

router = APIRouter(prefix="/surveys", tags=["surveys"])


@router.get("/{token}", response_model=SurveyPublic)
def read_survey(session: SessionDep, survey: SurveyDep) -> SurveyPublic:
    """The visit the survey asks about (kind, product, day, technician) and whether it is done."""
    return feedback_service.describe(session=session, survey=survey)


@router.post("/{token}/answers", response_model=SurveyPublic, status_code=status.HTTP_201_CREATED)
def create_survey_answer(
    session: SessionDep, survey: SurveyDep, answer_in: SurveyAnswer
) -> SurveyPublic:
    """Answer the survey once: CSAT 1-5, NPS 0-10, CES 1-7 and an optional comment.
    A second answer is 409 already_answered; an expired link 409 survey_expired."""
    answered = feedback_service.answer(
        session=session, survey=survey, answer_in=answer_in, now=utc_now()
    )
    return feedback_service.describe(session=session, survey=answered)
