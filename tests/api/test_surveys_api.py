"""Survey links over HTTP: no bearer token; the one-time token shows it and takes one answer."""

from datetime import timedelta

from dispatch.feedback import service as feedback_service
from dispatch.visit.models import VisitStatus
from tests.api import outreach_support as support
from tests.api.outreach_support import App
from tests.factories import DAY, local, make_technician, make_visit

migrated_template, app = support.migrated_template, support.app  # fixtures


def _token(app: App) -> str:
    with app.session() as session:
        technician = make_technician(session, name="Budi Santoso")
        visit = make_visit(session, status=VisitStatus.COMPLETED, technician=technician)
        token = feedback_service.issue(
            session=session, visit=visit, now=local(DAY, 11), valid_days=3650
        )
        session.commit()
    assert token is not None
    return token


def test_read_survey_shows_what_it_is_about(app: App) -> None:
    """GET with the token shows the visit's kind, product, day and technician, not yet answered."""
    token = _token(app)
    response = app.client.get(f"/v1/surveys/{token}")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "installation"
    assert body["product"].startswith("Sejuk AC Split 1 PK")
    assert body["visit_day"] == "2026-03-10"
    assert body["technician"] == "Budi"
    assert (body["answered"], body["answered_at"]) == (False, None)


def test_answer_survey_once_then_refuse_a_second(app: App) -> None:
    """The first answer is 201; a second is 409 already_answered in the one error shape."""
    token = _token(app)
    first = app.client.post(
        f"/v1/surveys/{token}/answers", json={"csat": 5, "nps": 9, "ces": 6, "comment": "Bagus"}
    )
    assert first.status_code == 201
    assert first.json()["answered"] is True
    second = app.client.post(f"/v1/surveys/{token}/answers", json={"csat": 1, "nps": 0, "ces": 1})
    assert second.status_code == 409
    assert second.json() == {
        "detail": [
            {
                "loc": ["token"],
                "msg": "this survey was already answered; thank you.",
                "type": "already_answered",
            }
        ]
    }
    with app.session() as session:
        survey = feedback_service.get_by_token_or_raise(session=session, token=token)
        assert (survey.csat, survey.nps, survey.ces, survey.comment) == (5, 9, 6, "Bagus")


def test_answer_survey_rejects_bad_values_clearly(app: App) -> None:
    """Out-of-range and non-integer scores are 422 naming the field; nothing is stored."""
    token = _token(app)
    response = app.client.post(
        f"/v1/surveys/{token}/answers", json={"csat": 6, "nps": 10, "ces": "7"}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["loc"], d["type"]) for d in detail] == [
        (["body", "csat"], "less_than_equal"),
        (["body", "ces"], "int_type"),
    ]
    assert detail[0]["msg"] == "Input should be less than or equal to 5"
    assert app.client.get(f"/v1/surveys/{token}").json()["answered"] is False


def test_answer_survey_missing_score_is_422(app: App) -> None:
    """Every score is required."""
    token = _token(app)
    response = app.client.post(f"/v1/surveys/{token}/answers", json={"csat": 4})
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "nps"], ["body", "ces"]]


def test_unknown_token_is_404_without_details(app: App) -> None:
    """A made-up token is 404 for reading and answering."""
    expected = {
        "detail": [{"loc": ["token"], "msg": "this survey link is not valid.", "type": "not_found"}]
    }
    assert app.client.get("/v1/surveys/made-up").json() == expected
    response = app.client.post("/v1/surveys/made-up/answers", json={"csat": 4, "nps": 8, "ces": 5})
    assert (response.status_code, response.json()) == (404, expected)


def test_expired_survey_is_409(app: App) -> None:
    """An expired link cannot be answered."""
    token = _token(app)
    with app.session() as session:
        survey = feedback_service.get_by_token_or_raise(session=session, token=token)
        survey.expires_at = local(DAY, 12) + timedelta(days=1)
        session.add(survey)
        session.commit()
    response = app.client.post(f"/v1/surveys/{token}/answers", json={"csat": 4, "nps": 8, "ces": 5})
    assert response.status_code == 409
    assert response.json()["detail"][0]["type"] == "survey_expired"
    assert response.json()["detail"][0]["msg"] == "this survey closed on 2026-03-11."
