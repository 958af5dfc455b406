"""Stock of spare parts in a region's warehouses and vans: balances, receipts (which open the
follow-ups of visits waiting for a part), transfers, the ledger, and the technician's van."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import (
    MAX_ID,
    DispatchRegionDep,
    OwnTechnicianDep,
    SessionDep,
    require_roles,
)
from dispatch.account.models import Role, User
from dispatch.backorder import service as backorder_service
from dispatch.localtime import utc_now
from dispatch.parts import service as parts_service
from dispatch.parts import stock
from dispatch.parts.models import (
    PartWait,
    PartWaitPublic,
    ReceiptResult,
    StockLevelPublic,
    StockLocation,
    StockLocationCreate,
    StockLocationPublic,
    StockMovement,
    StockMovementPublic,
    StockReceipt,
    StockTransfer,
    StockView,
)

router = APIRouter(tags=["stock"])

AdminUser = Annotated[User, require_roles(Role.ADMIN)]


@router.get("/regions/{region}/stock", response_model=StockView)
def read_stock(session: SessionDep, region: DispatchRegionDep) -> StockView:
    """The region's warehouses and vans, each with on hand, reserved and available per part."""
    return stock.view(session=session, region_id=region.id or 0)


@router.post(
    "/regions/{region}/stock-locations",
    response_model=StockLocationPublic,
    status_code=status.HTTP_201_CREATED,
)
def create_stock_location(
    session: SessionDep,
    user: AdminUser,
    region: DispatchRegionDep,
    location_in: StockLocationCreate,
) -> StockLocation:
    """A warehouse of the region, or a technician's van (one per technician: 409)."""
    location_in.region_id = region.id
    return parts_service.create_location(session=session, location_in=location_in)


@router.post("/regions/{region}/stock/receipts", response_model=ReceiptResult)
def create_receipt(
    session: SessionDep, region: DispatchRegionDep, receipt: StockReceipt
) -> ReceiptResult:
    """Parts arrived at a location of the region; visits that failed for want of them get
    their follow-up, and their customers a message."""
    return backorder_service.receive_in_region(
        session=session, region_id=region.id or 0, receipt=receipt, at=utc_now()
    )


@router.post("/regions/{region}/stock/transfers", response_model=StockLevelPublic)
def create_transfer(
    session: SessionDep, region: DispatchRegionDep, transfer_in: StockTransfer
) -> StockLevelPublic:
    """Move parts within the region, e.g. load a van; 409 out_of_stock when not enough is free."""
    return stock.transfer_in_region(
        session=session, region_id=region.id or 0, transfer_in=transfer_in, at=utc_now()
    )


@router.get("/regions/{region}/stock/movements", response_model=list[StockMovementPublic])
def read_movements(
    session: SessionDep,
    region: DispatchRegionDep,
    location_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[StockMovement]:
    """A location's ledger, newest first."""
    stock.in_region(session=session, location_id=location_id, region_id=region.id or 0)
    return stock.movements(session=session, location_id=location_id, limit=limit)


@router.get("/regions/{region}/backorders", response_model=list[PartWaitPublic])
def read_backorders(session: SessionDep, region: DispatchRegionDep) -> list[PartWait]:
    """The parts failed visits of the region still wait for, oldest first."""
    return backorder_service.waits(session=session, region_id=region.id or 0)


@router.get("/me/van", response_model=list[StockLevelPublic])
def read_my_van(session: SessionDep, technician: OwnTechnicianDep) -> list[StockLevelPublic]:
    """What the technician's van carries (empty when it has none)."""
    return stock.van_levels(session=session, technician_id=technician.id or 0)
