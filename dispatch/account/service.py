"""Create users, issue and check bearer tokens, and decide which regions a user may see."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlmodel import Session, select

from dispatch.account.models import ApiToken, Role, User, UserCreate
from dispatch.errors import InvalidInput, NotFound

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored (tokens are random, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(*, session: Session, user_in: UserCreate, token_label: str = "") -> tuple[User, str]:
    """Create a user and a first token; the plain token is returned once and never stored."""
    _check_binding(user_in)
    user = User.model_validate(user_in, update={"created_at": datetime.now(UTC)})
    session.add(user)
    session.flush()
    token = _add_token(session, user, token_label)
    session.commit()
    session.refresh(user)
    return user, token


def issue_token(*, session: Session, user: User, label: str = "") -> str:
    """A new token for an existing user."""
    token = _add_token(session, user, label)
    session.commit()
    return token


def revoke_token(*, session: Session, token: str) -> None:
    """Revoke a token; it no longer authenticates."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None:
        raise NotFound("No such token.", loc=("token",))
    row.revoked_at = datetime.now(UTC)
    session.add(row)
    session.commit()


def authenticate(*, session: Session, token: str) -> User | None:
    """The active user holding this unrevoked token, or None."""
    statement = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == hash_token(token))
        .where(ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .where(User.active)
    )
    return session.exec(statement).first()


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


def _add_token(session: Session, user: User, label: str) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    assert user.id is not None
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_token(token),
            label=label,
            created_at=datetime.now(UTC),
        )
    )
    return token
