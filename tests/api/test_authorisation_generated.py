"""The generated authorisation suite (issue 18, OWASP API1/API3): every operation of the OpenAPI
document, called by every outside caller (nobody, a customer, a dispatcher and a technician of
region b) with the foreign objects of region a (tests/api/authorisation_world.py) in its path,
query and body, answers 401, 403 or 404 and holds no marker of a foreign object; lists called
without foreign ids leak nothing either. On SQLite and PostgreSQL.

RULES names who may call each operation; an operation without a rule (a new endpoint) fails the
suite, and so does a rule left for an operation that is gone.
"""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session

from api.main import create_app
from dispatch.db import upgrade
from tests.api import authorisation_world
from tests.api.authorisation_world import CALLERS, Foreign
from tests.api.dispatch_support import api_settings, api_template
from tests.dispatch.conftest import postgres_url
from tests.factories import DAY, local

__all__ = ["api_template", "postgres_url"]  # fixtures

C, D, T = "customer", "dispatcher", "technician"
ANYONE = frozenset({C, D, T})


@dataclass(frozen=True)
class Rule:
    """Who may call an operation (admins always); public: no bearer token (health, surveys)."""

    roles: frozenset[str] = frozenset()
    public: bool = False


def _r(*roles: str) -> Rule:
    return Rule(frozenset(roles))


ADMIN_ONLY = Rule()
RULES: dict[str, Rule] = {
    "GET /v1/health": Rule(public=True),
    "GET /v1/regions": _r(D),
    "GET /v1/regions/{region}": _r(D),
    "PATCH /v1/regions/{region}": ADMIN_ONLY,
    "GET /v1/regions/{region}/days/{day}": _r(D),
    "POST /v1/regions/{region}/days/{day}/plans": _r(D),
    "POST /v1/regions/{region}/days/{day}/replans": _r(D),
    "GET /v1/regions/{region}/days/{day}/solve-jobs": _r(D),
    "GET /v1/solve-jobs/{job_id}": _r(D),
    "DELETE /v1/solve-jobs/{job_id}": _r(D),
    "GET /v1/solve-jobs/{job_id}/events": _r(D),
    "GET /v1/plans/{plan_id}": _r(D),
    "GET /v1/plans/{plan_id}/comparison": _r(D),
    "POST /v1/plans/{plan_id}/publish": _r(D),
    "GET /v1/technicians": _r(D),
    "POST /v1/technicians": _r(D),
    "GET /v1/technicians/{technician_id}": _r(D),
    "PATCH /v1/technicians/{technician_id}": _r(D),
    "GET /v1/technicians/{technician_id}/route": _r(D),
    "GET /v1/technicians/{technician_id}/shifts": _r(D),
    "PUT /v1/technicians/{technician_id}/shifts": _r(D),
    "GET /v1/technicians/{technician_id}/absences": _r(D),
    "POST /v1/technicians/{technician_id}/absences": _r(D),
    "GET /v1/technicians/{technician_id}/absences/{day}": _r(D),
    "PUT /v1/technicians/{technician_id}/absences/{day}": _r(D),
    "DELETE /v1/technicians/{technician_id}/absences/{day}": _r(D),
    "GET /v1/visits/{visit_id}": _r(D, T),
    "POST /v1/visits/{visit_id}/pin": _r(D),
    "DELETE /v1/visits/{visit_id}/pin": _r(D),
    "POST /v1/visits/{visit_id}/events": _r(D, T),
    "GET /v1/me": Rule(ANYONE),
    "GET /v1/me/route": _r(T),
    "GET /v1/slots": _r(C, D),
    "POST /v1/bookings": _r(C, D),
    "GET /v1/bookings": _r(C, D),
    "GET /v1/bookings/{booking_id}": _r(C, D),
    "POST /v1/bookings/{booking_id}/reschedule": _r(C, D),
    "POST /v1/bookings/{booking_id}/cancel": _r(C, D),
    "POST /v1/service-requests": _r(C, D),
    "GET /v1/service-requests": _r(C, D),
    "GET /v1/service-requests/{request_id}": _r(C, D),
    "GET /v1/customers": _r(D),
    "POST /v1/customers": _r(D),
    "GET /v1/customers/{customer_id}": _r(C, D, T),
    "PATCH /v1/customers/{customer_id}": _r(C, D),
    "GET /v1/assets": _r(C, D),
    "POST /v1/assets": _r(D),
    "GET /v1/assets/{asset_id}": _r(C, D),
    "GET /v1/product-models": Rule(ANYONE),
    "POST /v1/product-models": ADMIN_ONLY,
    "GET /v1/parts": Rule(ANYONE),
    "POST /v1/parts": ADMIN_ONLY,
    "GET /v1/part-needs": Rule(ANYONE),
    "POST /v1/part-needs": ADMIN_ONLY,
    "GET /v1/visits/{visit_id}/parts": _r(D, T),
    "PUT /v1/visits/{visit_id}/parts": _r(D, T),
    "GET /v1/regions/{region}/stock": _r(D),
    "POST /v1/regions/{region}/stock-locations": ADMIN_ONLY,
    "POST /v1/regions/{region}/stock/receipts": _r(D),
    "POST /v1/regions/{region}/stock/transfers": _r(D),
    "GET /v1/regions/{region}/stock/movements": _r(D),
    "GET /v1/regions/{region}/backorders": _r(D),
    "GET /v1/me/van": _r(T),
    "GET /v1/kpis": _r(D),
    "GET /v1/surveys/{token}": Rule(public=True),
    "POST /v1/surveys/{token}/answers": Rule(public=True),
    "GET /v1/audit": ADMIN_ONLY,
    "POST /v1/workshops": _r(D),
    "GET /v1/workshops": Rule(ANYONE),
    "GET /v1/workshops/{workshop_id}": Rule(ANYONE),
    "GET /v1/workshop-slots": _r(C, D),
    "POST /v1/workshop-bookings": _r(C, D),
    "GET /v1/workshop-bookings": _r(C, D),
    "GET /v1/workshop-bookings/{workshop_booking_id}": _r(C, D),
    "POST /v1/workshop-bookings/{workshop_booking_id}/cancel": _r(C, D),
    "POST /v1/workshop-bookings/{workshop_booking_id}/reschedule": _r(C, D),
    "POST /v1/workshop-bookings/{workshop_booking_id}/complete": _r(D),
    "POST /v1/voucher-offers": ADMIN_ONLY,
    "GET /v1/voucher-offers": _r(D),
    "POST /v1/vouchers": _r(D),
    "GET /v1/vouchers": _r(C, D),
    "POST /v1/vouchers/redeem": _r(C, D),
    "POST /v1/complaints": _r(C, D),
    "GET /v1/complaints": _r(C, D),
    "GET /v1/complaints/{complaint_id}": _r(C, D),
    "PATCH /v1/complaints/{complaint_id}": _r(D),
    "POST /v1/complaints/{complaint_id}/transitions": _r(C, D),
    "POST /v1/complaints/{complaint_id}/repair": _r(D),
    "GET /v1/complaint-slas": _r(D),
    "PUT /v1/complaint-slas/{category}": ADMIN_ONLY,
    "GET /v1/assets/{asset_id}/warranty-eligibility": _r(C, D),
    "POST /v1/warranty-outcomes": _r(D),
    "GET /v1/warranty-outcomes": _r(C, D),
    "GET /v1/warranty-outcomes/{outcome_id}": _r(C, D),
    "POST /v1/deliveries": _r(D),
}

# The kind of foreign object each path parameter, query parameter or body field names.
KIND_OF = {
    "region": "region",
    "region_id": "region",
    "technician_id": "technician",
    "visit_id": "visit",
    "plan_id": "plan",
    "job_id": "solve job",
    "booking_id": "booking",
    "request_id": "service request",
    "customer_id": "customer",
    "asset_id": "asset",
    "token": "survey",
    "absence": "absence",
    "location_id": "stock location",
    "from_location_id": "stock location",
    "to_location_id": "stock location",
    "workshop_booking_id": "workshop booking",
    "complaint_id": "complaint",
    "outcome_id": "warranty outcome",
}
PAGING = {"offset", "limit", "active", "by", "kind"}
# Filters that are not ids: sent with the foreign value (a list filtered by another region's
# customer's phone must come back empty), but an empty 200 is the right answer.
FILTERS = {"phone": authorisation_world.FOREIGN_CUSTOMER["phone"]}


@dataclass
class Suite:
    client: TestClient
    foreign: Foreign
    doc: dict[str, Any]


def _suite(url: str) -> Iterator[Suite]:
    app = create_app(api_settings(url, rate_limit_enabled=False))
    with Session(app.state.engine) as session:
        foreign = authorisation_world.build(session)
    with TestClient(app) as client:
        yield Suite(client, foreign, app.openapi())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def suite(request: pytest.FixtureRequest, api_template: Path, tmp_path: Path) -> Iterator[Suite]:
    """The app and its foreign world on a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        path = tmp_path / "purna.db"
        shutil.copyfile(api_template, path)
        yield from _suite(f"sqlite:///{path}")
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"purna_authz_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        upgrade(rendered)
        yield from _suite(rendered)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


# --- request building -------------------------------------------------------------------------


def _value(name: str, path: str, ids: dict[str, Any]) -> Any:
    """The foreign value of a path or query parameter (None: not an object reference)."""
    if name == "day":
        return ids["absence_day"] if "/absences/" in path else ids["day"]
    if name == "token":
        return "not-your-survey-token"  # the link is the credential: others do not have it
    if name == "plan_id":
        return ids["plan_id"]
    if name == "category":
        return "workmanship"  # a complaint category: a name, not an object
    return ids.get(name)


def _query(op: dict[str, Any], path: str, ids: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Query parameters: every object reference foreign, required others valid; and whether
    an optional object reference was set (then a plain call is made too)."""
    params: dict[str, Any] = {}
    optional_ref = False
    for p in op.get("parameters", []):
        if p["in"] != "query" or p["name"] in PAGING - {"kind"}:
            continue
        name = p["name"]
        value = _value(name, path, ids)
        if name in FILTERS:
            params[name] = FILTERS[name]
        elif name in KIND_OF and value is not None:
            params[name] = value
            optional_ref = optional_ref or not p.get("required", False)
        elif p.get("required"):
            params[name] = _scalar(name, p["schema"])
    return params, optional_ref


def _scalar(name: str, schema: dict[str, Any]) -> Any:
    if name in ("from", "to", "day"):
        return str(DAY)
    if name == "kind":
        return "installation"
    return _example(schema, {}, name)


BODY_VALUES: dict[str, Any] = {
    "window_start": local(DAY, 10).isoformat(),
    "window_end": local(DAY, 12).isoformat(),
    "email": "someone@example.id",
    "code": "zz-new",
    "timezone": "Asia/Jakarta",
    "kind": None,  # the schema's first choice
    "day": str(DAY),
    "weekday": 0,
    "start": "08:00:00",
    "end": "17:00:00",
    "opens": "08:00:00",
    "closes": "17:00:00",
    "slot_start": local(DAY, 9).isoformat(),
    "lat": -6.2,
    "lon": 106.8,
    "start_lat": -6.2,
    "start_lon": 106.8,
}


def _example(schema: dict[str, Any], doc: dict[str, Any], name: str | None = None) -> Any:
    """A valid value of the schema, foreign where the field names an object."""
    if "$ref" in schema:
        target = schema["$ref"].split("/")[-1]
        return _example(doc["components"]["schemas"][target], doc, name)
    if BODY_VALUES.get(name or "") is not None:
        return BODY_VALUES[name or ""]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], doc, name)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(schema, doc)
    if kind == "array":
        return [_example(schema["items"], doc)] * schema.get("minItems", 0)
    if kind == "string":
        if schema.get("format") == "date":
            return str(DAY)
        if schema.get("format") == "date-time":
            return local(DAY, 10).isoformat()
        return "x" * max(3, schema.get("minLength", 0))
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    return None


def _object(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    required = set(schema.get("required", ()))
    body = {}
    for field, sub in schema.get("properties", {}).items():
        if field in required:
            body[field] = _example(sub, doc, field)
    return body


def _body(op: dict[str, Any], doc: dict[str, Any], ids: dict[str, Any]) -> tuple[Any, set[str]]:
    """A valid body with every object reference set to a foreign object; the kinds it names."""
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None, set()
    schema = content["schema"]
    body = _example(schema, doc)
    kinds: set[str] = set()
    resolved = schema
    while "$ref" in resolved or "anyOf" in resolved:
        if "$ref" in resolved:
            resolved = doc["components"]["schemas"][resolved["$ref"].split("/")[-1]]
        else:
            resolved = [s for s in resolved["anyOf"] if s.get("type") != "null"][0]
    if isinstance(body, dict):
        for field in resolved.get("properties", {}):
            if field in KIND_OF and ids.get(field) is not None:
                body[field] = ids[field]
                kinds.add(KIND_OF[field])
    return body, kinds


# --- the suite --------------------------------------------------------------------------------


def _kind(name: str, path: str) -> str | None:
    """The kind of object a path parameter names (a region's day belongs to the region)."""
    if name == "day":
        return "absence" if "/absences/" in path else None
    if name == "workshop_id":
        return None  # a partner workshop is public business data, not a foreign object
    if name == "category":
        return None
    return KIND_OF[name]


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    ]


def _call(suite: Suite, caller: str, method: str, url: str, **kw: Any) -> Any:
    token = suite.foreign.tokens.get(caller)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method != "GET" and url.startswith(("/v1/bookings", "/v1/workshop-bookings")):
        headers["Idempotency-Key"] = uuid.uuid4().hex
    return suite.client.request(method, url, headers=headers, **kw)


def _expected(rule: Rule, caller: str, foreign: bool) -> tuple[int, ...] | None:
    """The answers allowed; None: any below 500 (no foreign object named; leaks checked)."""
    if rule.public:
        return (404,) if foreign else None  # the survey link is not the caller's
    if caller == "anonymous":
        return (401,)
    if caller not in rule.roles:
        return (403, 404) if foreign else (403,)  # the object check may come first
    return (403, 404) if foreign else None


def test_every_operation_refuses_outside_callers_and_leaks_nothing(suite: Suite) -> None:
    """Every operation x every outside caller with region a's objects: 401/403/404 (the
    expected one of them), and no answer holds a marker of a foreign object."""
    doc, ids, markers = suite.doc, suite.foreign.ids, suite.foreign.markers
    operations = _operations(doc)
    names = {f"{m} {p}" for m, p, _ in operations}
    assert names - set(RULES) == set(), "operations without an authorisation rule"
    assert set(RULES) - names == set(), "rules for operations that are gone"
    tried: Counter[str] = Counter()
    calls = leaks = 0
    failures = []
    for method, path, op in operations:
        rule = RULES[f"{method} {path}"]
        path_names = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        url = path
        for name in path_names:
            url = url.replace(f"{{{name}}}", str(_value(name, path, ids)))
        query, optional_ref = _query(op, path, ids)
        body, body_kinds = _body(op, doc, ids)
        kinds = {_kind(n, path) for n in path_names} - {None}
        kinds |= {KIND_OF[n] for n in query if n in KIND_OF} | body_kinds
        for caller in CALLERS:
            kw: dict[str, Any] = {"params": query}
            if body is not None:
                kw["json"] = body
            response = _call(suite, caller, method, url, **kw)
            calls += 1
            for kind in kinds:
                tried[kind] += 1
            expected = _expected(rule, caller, bool(kinds))
            allowed = (
                response.status_code < 500
                if expected is None
                else (response.status_code in expected)
            )
            if not allowed:
                failures.append(
                    f"{caller} {method} {url} {query}: {response.status_code} "
                    f"not in {expected}: {response.text[:200]}"
                )
            leaked = [m for m in markers if m in response.text]
            if leaked:
                leaks += 1
                failures.append(f"{caller} {method} {url}: leaks {leaked}")
            if optional_ref and method == "GET" and caller != "anonymous":
                plain = _call(suite, caller, method, url)
                calls += 1
                if any(m in plain.text for m in markers) or plain.status_code >= 500:
                    leaks += 1
                    failures.append(f"{caller} {method} {url} (no ids): {plain.status_code} leaks")
    assert failures == [], "\n".join(failures)
    print(
        f"\nauthorisation suite: {len(operations)} operations ({len(doc['paths'])} paths) x "
        f"{len(CALLERS)} callers x {len(tried)} object kinds ({', '.join(sorted(tried))}): "
        f"{calls} calls, leaks {leaks}"
    )


def test_the_foreign_ids_are_real(suite: Suite) -> None:
    """An admin reads every foreign object the suite names (so the 404s above are refusals,
    not wrong ids), and the real survey link opens its survey."""
    ids = suite.foreign.ids
    for method, path, op in _operations(suite.doc):
        path_names = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        if method != "GET" or not path_names or "token" in path_names or path.endswith("/events"):
            continue
        url = path
        for name in path_names:
            url = url.replace(f"{{{name}}}", str(_value(name, path, ids)))
        query, _ = _query(op, path, ids)
        assert _call(suite, "admin", method, url, params=query).status_code == 200, url
    survey = suite.client.get(f"/v1/surveys/{ids['survey_token']}")
    assert survey.status_code == 200
