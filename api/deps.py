"""Request dependencies: settings, a database session, and the authenticated user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.errors import Forbidden, Unauthenticated
from api.limits import AUTH_FAILURES, BOOKINGS, SLOT_QUERIES, client_address, get_limiter
from dispatch.access import directory as customer_directory
from dispatch.access import scope as access_scope
from dispatch.access.scope import Scope
from dispatch.account import service as account_service
from dispatch.account.models import Role, User
from dispatch.account.service import TokenState
from dispatch.asset.models import Asset
from dispatch.booking import service as booking_service
from dispatch.booking import slots as slot_service
from dispatch.complaint import service as complaint_service
from dispatch.complaint.models import Complaint
from dispatch.config import Settings
from dispatch.customer.models import Customer
from dispatch.errors import NotFound
from dispatch.feedback import service as feedback_service
from dispatch.feedback.models import Survey
from dispatch.jobs import service as job_service
from dispatch.jobs.models import SolveJob
from dispatch.jobs.runner import JobRunner
from dispatch.planning import service as planning_service
from dispatch.planning.models import Plan
from dispatch.region import service as region_service
from dispatch.region.models import Region
from dispatch.request import service as request_service
from dispatch.request.models import ServiceRequest
from dispatch.technician import service as technician_service
from dispatch.technician.models import Technician
from dispatch.visit import crew
from dispatch.visit import service as visit_service
from dispatch.visit.models import Visit

bearer = HTTPBearer(auto_error=False, description="A token from `purna users create`.")


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """A session per request; services commit, this only opens and closes."""
    with Session(engine) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


TOKEN_REFUSED = {
    TokenState.UNKNOWN: "The bearer token is unknown.",
    TokenState.REVOKED: "The bearer token was revoked; ask an admin for a new one.",
    TokenState.EXPIRED: "The bearer token has expired; ask an admin for a new one.",
    TokenState.INACTIVE: "The account of this bearer token is switched off.",
}


def get_current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The user behind the bearer token (401 without a valid one, with the reason); failed
    tokens count against the client address (429 once over the limit)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    limiter, address = get_limiter(request), client_address(request)
    limiter.check(AUTH_FAILURES, address)
    state, user = account_service.check_token(session=session, token=credentials.credentials)
    if user is None:
        limiter.count(AUTH_FAILURES, address)
        raise Unauthenticated(TOKEN_REFUSED[state])
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def limit_per_account(name: str) -> Any:
    """A dependency counting one hit of the named limit (api/limits.py) for the caller's
    account: 429 with Retry-After once over it."""

    def hit(request: Request, user: CurrentUser) -> None:
        get_limiter(request).hit(name, f"user:{user.id}")

    return Depends(hit)


SlotQueryLimit = limit_per_account(SLOT_QUERIES)
BookingLimit = limit_per_account(BOOKINGS)


def get_scope(session: SessionDep, user: CurrentUser) -> Scope:
    """Whose personal data the caller may read (dispatch.access.scope)."""
    return access_scope.scope_for(session=session, user=user)


ScopeDep = Annotated[Scope, Depends(get_scope)]


def get_endpoint(request: Request) -> str:
    """The operation as the access log names it: method and path template (each path
    parameter's value put back as its {name})."""
    names = {str(value): name for name, value in request.path_params.items()}
    segments = [f"{{{names[s]}}}" if s in names else s for s in request.url.path.split("/")]
    return f"{request.method} {'/'.join(segments)}"


EndpointDep = Annotated[str, Depends(get_endpoint)]


def require_roles(*roles: Role) -> object:
    """A dependency that admits only users with one of these roles (admin always)."""

    def check(user: CurrentUser) -> User:
        if user.role is not Role.ADMIN and user.role not in roles:
            raise Forbidden(f"This needs the role {' or '.join(r.value for r in roles)}.")
        return user

    return Depends(check)


DispatcherUser = Annotated[User, require_roles(Role.DISPATCHER)]
TechnicianUser = Annotated[User, require_roles(Role.TECHNICIAN)]
CustomerUser = Annotated[User, require_roles(Role.CUSTOMER)]


def ensure_region(user: User, region_code: str) -> None:
    """Refuse a dispatcher who does not dispatch this region (403)."""
    if not account_service.may_dispatch(user, region_code):
        raise Forbidden(f"You do not dispatch region {region_code!r}.")


# --- Dispatch and field work: regions, technicians, visits, plans and solve jobs -------------
# Object ids outside the caller's reach answer 404 (existence does not leak); a region code in
# the path that the caller does not dispatch answers 403 (the code is the caller's own input).


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
TechnicianId = Annotated[int, Path(ge=1, le=MAX_ID)]
VisitId = Annotated[int, Path(ge=1, le=MAX_ID)]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID)]
JobId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _may_dispatch_region_id(session: Session, user: User, region_id: int) -> bool:
    region = region_service.get(session=session, region_id=region_id)
    return region is not None and account_service.may_dispatch(user, region.code)


def ensure_region_id(session: Session, user: User, region_id: int) -> None:
    """Refuse a dispatcher who does not dispatch the region with this id (403)."""
    if user.role is Role.ADMIN:
        return
    if not _may_dispatch_region_id(session, user, region_id):
        raise Forbidden(f"You do not dispatch region {region_id}.")


def load_region(
    region: Annotated[str, Path(max_length=40, description="region code, e.g. jkt-south")],
    session: SessionDep,
    user: DispatcherUser,
) -> Region:
    """The region named by its code in the path, if the caller dispatches it."""
    ensure_region(user, region)
    found = region_service.get_by_code(session=session, code=region)
    if found is None:
        raise NotFound(f"region {region!r} does not exist.", loc=("path", "region"))
    return found


DispatchRegionDep = Annotated[Region, Depends(load_region)]


def load_technician(
    technician_id: TechnicianId, session: SessionDep, user: DispatcherUser
) -> Technician:
    """The technician, if the caller dispatches its region."""
    technician = technician_service.get(session=session, technician_id=technician_id)
    if technician is None or not _may_dispatch_region_id(session, user, technician.region_id):
        raise NotFound(f"technician {technician_id} does not exist.", loc=("path", "technician_id"))
    return technician


DispatchTechnicianDep = Annotated[Technician, Depends(load_technician)]


def load_own_technician(session: SessionDep, user: TechnicianUser) -> Technician:
    """The technician the caller's account is bound to."""
    if user.technician_id is None:
        raise Forbidden("Your account is not bound to a technician.")
    return technician_service.get_or_raise(session=session, technician_id=user.technician_id)


OwnTechnicianDep = Annotated[Technician, Depends(load_own_technician)]


def _visit_in_reach(session: Session, user: User, visit: Visit) -> bool:
    if user.role is Role.TECHNICIAN:
        return user.technician_id is not None and crew.is_member(
            session=session, visit=visit, technician_id=user.technician_id
        )
    return _may_dispatch_region_id(session, user, visit.region_id)


def load_field_visit(
    visit_id: VisitId,
    session: SessionDep,
    user: Annotated[User, require_roles(Role.DISPATCHER, Role.TECHNICIAN)],
) -> Visit:
    """The visit, if the caller dispatches its region or is the technician planned on it."""
    visit = visit_service.get(session=session, visit_id=visit_id)
    if visit is None or not _visit_in_reach(session, user, visit):
        raise NotFound(f"visit {visit_id} does not exist.", loc=("path", "visit_id"))
    return visit


FieldVisitDep = Annotated[Visit, Depends(load_field_visit)]


def load_dispatch_visit(visit_id: VisitId, session: SessionDep, user: DispatcherUser) -> Visit:
    """The visit, if the caller dispatches its region."""
    visit = visit_service.get(session=session, visit_id=visit_id)
    if visit is None or not _may_dispatch_region_id(session, user, visit.region_id):
        raise NotFound(f"visit {visit_id} does not exist.", loc=("path", "visit_id"))
    return visit


DispatchVisitDep = Annotated[Visit, Depends(load_dispatch_visit)]


def load_plan(plan_id: PlanId, session: SessionDep, user: DispatcherUser) -> Plan:
    """The plan, if the caller dispatches its region."""
    plan = planning_service.get(session=session, plan_id=plan_id)
    if plan is None or not _may_dispatch_region_id(session, user, plan.region_id):
        raise NotFound(f"plan {plan_id} does not exist.", loc=("path", "plan_id"))
    return plan


PlanDep = Annotated[Plan, Depends(load_plan)]


def load_solve_job(job_id: JobId, session: SessionDep, user: DispatcherUser) -> SolveJob:
    """The solve job, if the caller dispatches its region."""
    job = job_service.get(session=session, job_id=job_id)
    if job is None or not _may_dispatch_region_id(session, user, job.region_id):
        raise NotFound(f"solve job {job_id} does not exist.", loc=("path", "job_id"))
    return job


SolveJobDep = Annotated[SolveJob, Depends(load_solve_job)]


def get_job_runner(request: Request) -> JobRunner:
    """The app's solve-job runner."""
    runner: JobRunner = request.app.state.job_runner
    return runner


JobRunnerDep = Annotated[JobRunner, Depends(get_job_runner)]


# --- Customers: slots, bookings and service requests ------------------------------------------
# A customer reaches only its own assets, bookings and requests (others answer 404, so their
# existence does not leak); a dispatcher those of its regions, acting for the customer.

BookingUser = Annotated[User, require_roles(Role.CUSTOMER, Role.DISPATCHER)]


def customer_scope(user: User) -> int | None:
    """The customer whose objects the caller may reach: its own for a customer, None (anyone's)
    for dispatchers and admins."""
    if user.role is not Role.CUSTOMER:
        return None
    if user.customer_id is None:
        raise Forbidden("Your account is not bound to a customer.")
    return user.customer_id


def load_booking(booking_id: int, session: SessionDep, user: BookingUser) -> Visit:
    """The booking (a booked visit), if it is the caller's own or in a region it dispatches."""
    visit = visit_service.get(session=session, visit_id=booking_id)
    scope = customer_scope(user)
    reachable = visit is not None and booking_service.is_booking(visit)
    if visit is not None and scope is not None:
        reachable = reachable and visit.request.customer_id == scope
    elif visit is not None:
        reachable = reachable and _may_dispatch_region_id(session, user, visit.region_id)
    if visit is None or not reachable:
        raise NotFound(f"booking {booking_id} does not exist.", loc=("path", "booking_id"))
    return visit


BookingDep = Annotated[Visit, Depends(load_booking)]


def ensure_visit_in_reach(
    session: Session, user: User, visit_id: int, loc: tuple[str, ...] = ("query", "visit_id")
) -> None:
    """NotFound unless the visit is the caller's own (a customer) or in a region it dispatches."""
    visit = visit_service.get(session=session, visit_id=visit_id)
    own = customer_scope(user)
    if visit is not None and own is not None:
        reachable = visit.request.customer_id == own
    else:
        reachable = visit is not None and _may_dispatch_region_id(session, user, visit.region_id)
    if not reachable:
        raise NotFound(f"visit {visit_id} does not exist.", loc=loc)


def reachable_region_ids(scope: Scope) -> list[int] | None:
    """The ids of the regions a dispatcher reaches (None: all, as for customers and admins)."""
    if scope.sees_all or scope.role is Role.CUSTOMER:
        return None
    return list(scope.region_ids or ())


def load_service_request(request_id: int, session: SessionDep, user: BookingUser) -> ServiceRequest:
    """The service request, if it is the caller's own or in a region it dispatches."""
    request = request_service.get(session=session, request_id=request_id)
    scope = customer_scope(user)
    if request is not None and scope is not None:
        reachable = request.customer_id == scope
    else:
        reachable = request is not None and _may_dispatch_region_id(
            session, user, request.region_id
        )
    if request is None or not reachable:
        raise NotFound(f"service request {request_id} does not exist.", loc=("path", "request_id"))
    return request


ServiceRequestDep = Annotated[ServiceRequest, Depends(load_service_request)]


def load_survey(
    token: Annotated[str, Path(min_length=1, max_length=64, description="from the survey link")],
    session: SessionDep,
) -> Survey:
    """The survey this one-time token opens; the token is the credential (no bearer token)."""
    return feedback_service.get_by_token_or_raise(session=session, token=token)


SurveyDep = Annotated[Survey, Depends(load_survey)]


def serving_region(session: Session, user: User, asset: Asset, region_code: str | None) -> Region:
    """The region that serves the asset (see booking slots.region_for_asset); only staff may
    name another one (403 for a customer), and a dispatcher only one of its regions (403)."""
    if region_code is not None and customer_scope(user) is not None:
        raise Forbidden("Only a dispatcher chooses the region.")
    region = slot_service.region_for_asset(session=session, asset=asset, region_code=region_code)
    if customer_scope(user) is None:
        ensure_region(user, region.code)
    return region


CustomerId = Annotated[int, Path(ge=1, le=MAX_ID)]
AssetId = Annotated[int, Path(ge=1, le=MAX_ID)]


ReaderUser = Annotated[User, require_roles(Role.CUSTOMER, Role.DISPATCHER, Role.TECHNICIAN)]


def load_customer(
    customer_id: CustomerId, session: SessionDep, user: ReaderUser, scope: ScopeDep
) -> Customer:
    """The customer, if the caller's scope reaches it (dispatch.access.scope; others: 404)."""
    customer_scope(user)  # a customer account bound to no customer: 403
    customer = customer_directory.get_in_reach(
        session=session, scope=scope, customer_id=customer_id
    )
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist.", loc=("path", "customer_id"))
    return customer


CustomerDep = Annotated[Customer, Depends(load_customer)]


def load_asset(asset_id: AssetId, session: SessionDep, user: BookingUser, scope: ScopeDep) -> Asset:
    """The asset, if the caller's scope reaches its customer (others answer 404)."""
    customer_scope(user)
    asset = access_scope.asset_in_reach(session=session, scope=scope, asset_id=asset_id)
    if asset is None:
        raise NotFound(f"asset {asset_id} does not exist.", loc=("path", "asset_id"))
    return asset


AssetDep = Annotated[Asset, Depends(load_asset)]


# --- Complaints -------------------------------------------------------------------------------

ComplaintId = Annotated[int, Path(ge=1, le=MAX_ID)]
AdminUser = Annotated[User, require_roles()]


def load_complaint(
    complaint_id: ComplaintId, session: SessionDep, user: BookingUser, scope: ScopeDep
) -> Complaint:
    """The complaint, if it is the caller's own or in a region it dispatches (others: 404)."""
    customer_scope(user)
    try:
        return complaint_service.in_reach(session=session, scope=scope, complaint_id=complaint_id)
    except NotFound as exc:
        raise NotFound(exc.msg, loc=("path", "complaint_id")) from exc


ComplaintDep = Annotated[Complaint, Depends(load_complaint)]
