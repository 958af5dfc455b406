"""The people of the end-to-end stories and what they can do: each one is a bearer token on the
running app, and every step they take is an HTTP request.

Only what no endpoint offers is done through the services or read from the database: the
region and the user accounts (operators create them with `purna` commands), the stored plan's
problem for the independent validator, the outbox (messages go to a channel, not to an
endpoint), and one run of the scheduler's visit-messages job with a fixed clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dispatch.account import service as account_service
from dispatch.account.models import Role, UserCreate
from dispatch.config import Settings
from dispatch.outreach.models import OutboxMessage
from dispatch.planning.models import Plan
from optimizer import check, plan_from_dict, problem_from_dict

REGION = "jkt-south"
BLOK_M = (-6.2443, 106.8004)  # the service centre the technician starts from
WAIT_S = 20.0  # a deadline for a 1 s solve and the polls around it
POLL_S = 0.05


@dataclass
class Caller:
    """One user of the app: every call carries its bearer token."""

    client: TestClient
    token: str

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} | (extra or {})

    def get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        response: httpx.Response = self.client.get(url, params=params, headers=self._headers(None))
        return response

    def post(
        self, url: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        response: httpx.Response = self.client.post(url, json=body, headers=self._headers(headers))
        return response

    def put(self, url: str, body: Any) -> httpx.Response:
        response: httpx.Response = self.client.put(url, json=body, headers=self._headers(None))
        return response


@dataclass
class FieldTech:
    """The technician of jkt-south: its id and the phone app it signs in with."""

    technician_id: int
    app: Caller


@dataclass
class Purna:
    """The running app on its SQLite file, with an admin and a dispatcher of jkt-south."""

    client: TestClient
    engine: Engine
    settings: Settings
    admin: Caller
    dispatcher: Caller

    def account(self, name: str, role: Role, **binding: Any) -> Caller:
        """A new user account and its token, as `purna users create` makes them."""
        with Session(self.engine) as session:
            user_in = UserCreate(name=name, role=role, **binding)
            _, token = account_service.create(session=session, user_in=user_in)
        return Caller(self.client, token)

    def customer(self, customer_id: int) -> Caller:
        """The account a customer signs in with."""
        return self.account(f"customer {customer_id}", Role.CUSTOMER, customer_id=customer_id)

    def solve(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """Start a solve job as the dispatcher (202) and wait until it has succeeded."""
        started = self.dispatcher.post(url, body)
        assert started.status_code == 202, started.text
        assert started.json()["status"] in ("queued", "running")
        job_id = started.json()["id"]
        job: dict[str, Any] = wait_for(
            lambda: _finished(self.dispatcher.get(f"/v1/solve-jobs/{job_id}"))
        )
        assert job["status"] == "succeeded", job
        return job

    def plan_violations(self, plan_id: int) -> list[str]:
        """What the independent validator finds in the stored plan (its problem is stored too)."""
        with Session(self.engine) as session:
            plan = session.get(Plan, plan_id)
            assert plan is not None
            problem = problem_from_dict(plan.plan_json["problem"])
            solved = plan_from_dict(plan.plan_json["plan"], problem)
        return [f"{v.code}: {v.message}" for v in check(problem, solved)]

    def outbox(self, visit_id: int) -> list[OutboxMessage]:
        """The messages queued about the visit, oldest first."""
        with Session(self.engine) as session:
            query = select(OutboxMessage).where(OutboxMessage.visit_id == visit_id)
            return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


def _finished(response: httpx.Response) -> dict[str, Any] | None:
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return None if job["status"] in ("queued", "running") else job


def wait_for(condition: Callable[[], Any], *, timeout_s: float = WAIT_S) -> Any:
    """Poll condition until it returns something truthy; fail after timeout_s."""
    deadline_s = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline_s:
            pytest.fail(f"condition not met within {timeout_s} s")
        time.sleep(POLL_S)  # between polls only: the loop waits for the condition


def at(moment: str) -> datetime:
    """An ISO timestamp from a response as an aware datetime."""
    return datetime.fromisoformat(moment)
