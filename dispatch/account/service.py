"""Create users, issue and check bearer tokens, and decide which regions a user may see."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from dispatch.account.models import ApiToken, Role, User, UserCreate
from dispatch.errors import InvalidInput, NotFound

TOKEN_BYTES = 32
STAFF_TOKEN_DAYS = 30  # the defaults of Settings.staff_token_days and customer_token_days
CUSTOMER_TOKEN_DAYS = 365


class TokenState(StrEnum):
    """What a presented bearer token turned out to be."""

    VALID = "valid"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    INACTIVE = "inactive"  # the account is switched off


def valid_days(role: Role, *, staff_days: int, customer_days: int) -> int:
    """How long a new token of this role is valid (staff tokens are shorter-lived)."""
    return customer_days if role is Role.CUSTOMER else staff_days


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored (tokens are random, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    *, session: Session, user_in: UserCreate, token_label: str = "", days: int | None = None
) -> tuple[User, str]:
    """Create a user and a first token, valid for `days` (default: 30 for staff, 365 for
    customers); the plain token is returned once and never stored."""
    _check_binding(user_in)
    user = User.model_validate(user_in, update={"created_at": datetime.now(UTC)})
    session.add(user)
    session.flush()
    token = _add_token(session, user, token_label, days)
    session.commit()
    session.refresh(user)
    return user, token


def issue_token(*, session: Session, user: User, label: str = "", days: int | None = None) -> str:
    """A new token for an existing user (its other tokens stay valid)."""
    token = _add_token(session, user, label, days)
    session.commit()
    return token


def rotate(*, session: Session, user: User, label: str = "", days: int | None = None) -> str:
    """Revoke every token of the user and issue one new token, in one transaction."""
    _revoke_all(session, user)
    token = _add_token(session, user, label, days)
    session.commit()
    return token


def revoke_all(*, session: Session, user: User) -> int:
    """Revoke every valid token of the user; how many were revoked."""
    count = _revoke_all(session, user)
    session.commit()
    return count


def revoke_token(*, session: Session, token: str) -> None:
    """Revoke a token; it no longer authenticates."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None:
        raise NotFound("No such token.", loc=("token",))
    row.revoked_at = row.revoked_at or datetime.now(UTC)
    session.add(row)
    session.commit()


def check_token(
    *, session: Session, token: str, now: datetime | None = None
) -> tuple[TokenState, User | None]:
    """What the token is, and its user when it is valid; only the token's hash is looked up."""
    row = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.token_hash) == hash_token(token))
    ).first()
    if row is None:
        return TokenState.UNKNOWN, None
    api_token, user = row
    if api_token.revoked_at is not None:
        return TokenState.REVOKED, None
    if api_token.expires_at is not None and api_token.expires_at <= (now or datetime.now(UTC)):
        return TokenState.EXPIRED, None
    if not user.active:
        return TokenState.INACTIVE, None
    return TokenState.VALID, user


def authenticate(*, session: Session, token: str) -> User | None:
    """The active user holding this valid token, or None."""
    return check_token(session=session, token=token)[1]


def get_by_name(*, session: Session, name: str) -> User | None:
    """The first user with this name (the CLI and demo setup use names)."""
    return session.exec(select(User).where(User.name == name)).first()


def may_dispatch(user: User, region_code: str) -> bool:
    """True when the user may plan and read this region."""
    if user.role is Role.ADMIN:
        return True
    if user.role is not Role.DISPATCHER:
        return False
    return not user.region_codes or region_code in user.region_codes


def dispatched_regions(user: User) -> list[str] | None:
    """The region codes the user may plan and read; None means every region."""
    if user.role is Role.ADMIN or (user.role is Role.DISPATCHER and not user.region_codes):
        return None
    return list(user.region_codes) if user.role is Role.DISPATCHER else []


def _check_binding(user_in: UserCreate) -> None:
    if user_in.role is Role.TECHNICIAN and user_in.technician_id is None:
        raise InvalidInput("A technician user needs technician_id.", loc=("technician_id",))
    if user_in.role is Role.CUSTOMER and user_in.customer_id is None:
        raise InvalidInput("A customer user needs customer_id.", loc=("customer_id",))


def _add_token(session: Session, user: User, label: str, days: int | None) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assert user.id is not None
    now = datetime.now(UTC)
    if days is None:
        days = valid_days(
            user.role, staff_days=STAFF_TOKEN_DAYS, customer_days=CUSTOMER_TOKEN_DAYS
        )
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_token(token),
            label=label,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token


def _revoke_all(session: Session, user: User) -> int:
    result = session.execute(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return int(getattr(result, "rowcount", 0) or 0)  # a CursorResult for UPDATE
