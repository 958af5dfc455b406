"""The HTTP endpoints (FastAPI routes), one APIRouter per resource; ROUTERS lists them for main."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    assets,
    audit,
    bookings,
    complaints,
    customers,
    deliveries,
    health,
    kpis,
    me,
    parts,
    plans,
    products,
    regions,
    service_requests,
    shifts,
    slots,
    stock,
    surveys,
    technicians,
    visits,
    vouchers,
    warranty_outcomes,
    workshops,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    regions.router,
    plans.router,
    technicians.router,
    shifts.router,
    visits.router,
    me.router,
    slots.router,
    bookings.router,
    service_requests.router,
    complaints.router,
    warranty_outcomes.router,
    deliveries.router,
    customers.router,
    assets.router,
    products.router,
    parts.router,
    stock.router,
    kpis.router,
    surveys.router,
    audit.router,
    workshops.router,
    vouchers.router,
)
