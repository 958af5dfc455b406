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
from dispatch.planning.models import Plan, PlanRoute, PlanStop, PlanUnassigned
from dispatch.product.models import ProductModel, VisitKindPolicy
from dispatch.region.models import Region
from dispatch.request.models import ServiceRequest
from dispatch.shift.models import ShiftException, WeeklyShift
from dispatch.technician.models import Technician, TechnicianSkill
from dispatch.visit.models import Visit
from dispatch.warranty_outcome.models import WarrantyOutcome

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
    "OutboxMessage",
    "Plan",
    "PlanRoute",
    "PlanStop",
    "PlanUnassigned",
    "ProductModel",
    "Region",
    "ServiceRequest",
    "ShiftException",
    "SolveJob",
    "Survey",
    "Technician",
    "TechnicianSkill",
    "User",
    "Visit",
    "VisitKindPolicy",
    "WarrantyOutcome",
    "WeeklyShift",
]
