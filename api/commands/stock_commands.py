"""`purna stock show` and `purna stock receive`: a region's spare parts stock, and parts
arriving at one of its locations (opening the follow-ups of visits waiting for them).

Bad input gives one line on stderr and exit code 2, as in the other commands.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from api.commands.database import fail, session_for, settings_for
from api.commands.tables import make_console
from dispatch.backorder import service as backorder_service
from dispatch.localtime import utc_now
from dispatch.parts import service as parts_service
from dispatch.parts import stock
from dispatch.parts.models import StockReceipt
from dispatch.region import service as region_service
from dispatch.region.models import Region

stock_app = typer.Typer(help="Spare parts stock of a region.", no_args_is_help=True)
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
]
RegionCode = Annotated[str, typer.Option("--region", help="Region code, e.g. jkt-south.")]


def register(app: typer.Typer) -> None:
    """Add `purna stock` to the app."""
    app.add_typer(stock_app, name="stock")


def _region(session: Session, code: str) -> Region:
    region = region_service.get_by_code(session=session, code=code)
    if region is None:
        fail(f"region {code!r} does not exist.")
    return region


@stock_app.command("show")
def show_command(region: RegionCode, database_url: DatabaseUrl = None) -> None:
    """Each warehouse and van of the region with on hand, reserved and available per part."""
    with session_for(settings_for(database_url)) as session:
        found = _region(session, region)
        view = stock.view(session=session, region_id=found.id or 0)
    caption = f"stock-outs: {view.stock_outs} ({view.warehouse_stock_outs} at warehouses)"
    table = Table(title=f"Stock of {region}", title_justify="left", caption=caption)
    for name in ("location", "part", "on hand", "reserved", "available"):
        table.add_column(name, justify="right" if name[0] in "ora" else "left")
    for location in view.data:
        for level in location.levels:
            table.add_row(
                f"{location.name} #{location.id}",
                level.part_number,
                str(level.on_hand),
                str(level.reserved),
                str(level.available),
            )
    make_console().print(table)


@stock_app.command("receive")
def receive_command(
    region: RegionCode,
    location_id: Annotated[int, typer.Option("--location-id", min=1, help="Where they arrive.")],
    part_number: Annotated[str, typer.Option("--part-number", help="The OEM part number.")],
    quantity: Annotated[int, typer.Option(min=1, max=10_000, help="How many arrived.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Parts arrived; print the new balance and the follow-up visits it opened."""
    with session_for(settings_for(database_url)) as session:
        found = _region(session, region)
        part = parts_service.get_part_by_number(session=session, part_number=part_number)
        receipt = StockReceipt(location_id=location_id, part_id=part.id or 0, quantity=quantity)
        result = backorder_service.receive_in_region(
            session=session, region_id=found.id or 0, receipt=receipt, at=utc_now()
        )
    level = result.level
    typer.echo(
        f"{part_number} at location {location_id}: {level.on_hand} on hand, "
        f"{level.available} available."
    )
    for visit_id in result.follow_up_visit_ids:
        typer.echo(f"Opened follow-up visit {visit_id}; its customer is told.")
