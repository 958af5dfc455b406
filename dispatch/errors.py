"""Errors the caller can act on; api/errors.py maps each subclass to one HTTP status code."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """An error the caller can act on; api/errors.py maps each subclass to one status code."""

    type: ClassVar[str] = "domain_error"

    def __init__(self, msg: str, *, loc: tuple[str | int, ...] = ()) -> None:
        super().__init__(msg)
        self.msg = msg
        self.loc = loc

    def to_detail(self) -> dict[str, object]:
        """The error as one item of FastAPI's validation shape: {"loc", "msg", "type"}."""
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}


class NotFound(DomainError):
    """The object asked for does not exist (404)."""

    type = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state of the data (409)."""

    type = "conflict"


class InvalidTransition(Conflict):
    """A visit cannot move from its current status to the one asked for (409)."""

    type = "invalid_transition"


class OutOfStock(Conflict):
    """Not enough of a part where it was asked for, or not enough of it held (409)."""

    type = "out_of_stock"


class SlotUnavailable(DomainError):
    """The time window asked for can no longer be served (409)."""

    type = "slot_unavailable"


class NotCovered(DomainError):
    """No entitlement or warranty covers what was asked for free (422)."""

    type = "not_covered"


class InvalidInput(DomainError):
    """The input is well-formed but breaks a business rule (422)."""

    type = "invalid_input"


class RoutingUnavailable(DomainError):
    """The region's routing server did not answer, or answered with an error (503)."""

    type = "routing_unavailable"


class AlreadyAnswered(Conflict):
    """A one-time survey was answered before; a second answer is refused (409)."""

    type = "already_answered"


class SurveyExpired(Conflict):
    """The survey link is too old to answer (409)."""

    type = "survey_expired"


class IdempotencyKeyReused(InvalidInput):
    """An Idempotency-Key sent again with a different request body (422)."""

    type = "idempotency_key_reused"


class WorkshopFull(SlotUnavailable):
    """Every bay of a workshop is booked in the slot asked for (409)."""

    type = "workshop_full"


class VoucherUnusable(Conflict):
    """A voucher cannot be redeemed: used, expired, not yet valid, or the price is too low (409)."""

    type = "voucher_unusable"


class VoucherLimitReached(Conflict):
    """A voucher offer's total or per-customer limit is reached (409)."""

    type = "voucher_limit_reached"
