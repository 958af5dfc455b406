"""Request dependencies: settings, a database session, and the authenticated user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.errors import Forbidden, Unauthenticated
from dispatch.account import service as account_service
from dispatch.account.models import Role, User
from dispatch.config import Settings

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


def get_current_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The user behind the bearer token (401 without a valid one)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    user = account_service.authenticate(session=session, token=credentials.credentials)
    if user is None:
        raise Unauthenticated("The bearer token is unknown or revoked.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


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
