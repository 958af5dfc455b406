"""Every table, imported in one place so that SQLModel.metadata is complete (Alembic, tests)."""

from dispatch.access.models import AccessLog
from dispatch.account.models import ApiToken, User
from dispatch.asset.models import Asset
from dispatch.booking.models import BookingIdempotency, BookingLedger
from dispatch.complaint.models import Complaint, ComplaintSla
from dispatch.customer.models import Customer
from dispatch.entitlement.models import Entitlement
from dispatch.feedback.models import Survey
from dispatch.geocoding.models import GeocodeCache
from dispatch.jobs.models import SolveJob
from dispatch.outreach.models import OutboxMessage
from dispatch.parts.models import (
    KindPartNeed,
    Part,
    PartWait,
    Reservation,
    StockLevel,
    StockLocation,
    StockMovement,
    VisitPartNeed,
)
from dispatch.planning.models import Plan, PlanRoute, PlanStop, PlanUnassigned
from dispatch.product.models import ProductModel, VisitKindPolicy
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.shift.models import ShiftException, WeeklyShift
from dispatch.technician.models import Technician, TechnicianSkill
from dispatch.visit.models import Visit
from dispatch.voucher.models import Voucher, VoucherOffer
from dispatch.warranty_outcome.models import WarrantyOutcome
from dispatch.workshop.models import (
    Workshop,
    WorkshopBooking,
    WorkshopBookingIdempotency,
    WorkshopHours,
    WorkshopService,
)

__all__ = [
    "AccessLog",
    "ApiToken",
    "Asset",
    "BookingIdempotency",
    "BookingLedger",
    "Complaint",
    "ComplaintSla",
    "Customer",
    "Entitlement",
    "GeocodeCache",
    "KindPartNeed",
    "OutboxMessage",
    "Part",
    "PartWait",
    "Plan",
    "PlanRoute",
    "PlanStop",
    "PlanUnassigned",
    "ProductModel",
    "Region",
    "Reservation",
    "ServiceRequest",
    "ShiftException",
    "SolveJob",
    "StockLevel",
    "StockLocation",
    "StockMovement",
    "Survey",
    "Technician",
    "TechnicianSkill",
    "User",
    "Visit",
    "VisitPartNeed",
    "VisitKindPolicy",
    "Voucher",
    "VoucherOffer",
    "WarrantyOutcome",
    "WeeklyShift",
    "Workshop",
    "WorkshopBooking",
    "WorkshopBookingIdempotency",
    "WorkshopHours",
    "WorkshopService",
]
