"""`purna regions`: list the regions and change their travel settings (the routing server)."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlmodel import Session

from api.commands.database import fail, session_for, settings_for
from api.commands.tables import make_console
from dispatch.region import service as region_service
from dispatch.region.models import (
    FAIRNESS_HELP,
    REASSIGN_HELP,
    START_MOVE_HELP,
    Region,
    RegionUpdate,
)

regions_app = typer.Typer(
    help="Regions: their time zone and travel settings (routing server).", no_args_is_help=True
)
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
]


def register(app: typer.Typer) -> None:
    """Add the regions commands to the purna app."""
    app.add_typer(regions_app, name="regions")


@regions_app.command("list")
def list_command(database_url: DatabaseUrl = None) -> None:
    """Print every region with its time zone and where its travel times come from."""
    with session_for(settings_for(database_url)) as session:
        regions, _ = region_service.list_all(session=session, limit=10_000)
        table = Table("region", "name", "time zone", "travel times", "plan settings")
        for r in regions:
            table.add_row(r.code, r.name, r.timezone, _travel(r), _plan_settings(r))
        make_console().print(table)


@regions_app.command("set")
def set_command(
    region: Annotated[str, typer.Option("--region", help="Region code, e.g. jkt-south.")],
    osrm_url: Annotated[
        str | None,
        typer.Option(
            help="The region's OSRM server, e.g. http://osrm:5000: road times for "
            "plans, re-plans, slot offers and ETAs."
        ),
    ] = None,
    no_osrm: Annotated[
        bool, typer.Option("--no-osrm", help="Drop the routing server: great-circle estimates.")
    ] = False,
    speed_kmh: Annotated[
        float | None, typer.Option(help="Average speed of the estimate (km/h).")
    ] = None,
    road_factor: Annotated[
        float | None, typer.Option(help="Road distance over straight line, for the estimate.")
    ] = None,
    fairness_weight: Annotated[int | None, typer.Option(help=FAIRNESS_HELP + " (0-100).")] = None,
    reassign_cost_s: Annotated[int | None, typer.Option(help=REASSIGN_HELP + ".")] = None,
    start_move_cost: Annotated[int | None, typer.Option(help=START_MOVE_HELP + " (0-100).")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Change a region's travel and plan settings and print them."""
    if no_osrm and osrm_url is not None:
        fail("--osrm-url and --no-osrm: give one of them.")
    with session_for(settings_for(database_url)) as session:
        found = _region(session, region)
        given = {
            "osrm_url": osrm_url,
            "speed_kmh": speed_kmh,
            "road_factor": road_factor,
            "fairness_weight": fairness_weight,
            "reassign_cost_s": reassign_cost_s,
            "start_move_cost": start_move_cost,
        }
        changes: dict[str, object] = {k: v for k, v in given.items() if v is not None}
        if no_osrm:
            changes["osrm_url"] = None
        if not changes:
            fail(
                "nothing to change: give --osrm-url, --no-osrm, --speed-kmh, --road-factor, "
                "--fairness-weight, --reassign-cost-s or --start-move-cost."
            )
        region_in = _update(changes)
        updated = region_service.update(session=session, region=found, region_in=region_in)
        typer.echo(f"{updated.code}: travel times {_travel(updated)}; {_plan_settings(updated)}")


def _update(changes: dict[str, object]) -> RegionUpdate:
    """The changes checked; a bad value fails with the option it came from."""
    try:
        return RegionUpdate.model_validate(changes)
    except ValidationError as exc:
        error = exc.errors()[0]
        option = "--" + str(error["loc"][0]).replace("_", "-")
        fail(f"{option}: {error['msg']}.")


def _plan_settings(region: Region) -> str:
    return (
        f"fairness weight {region.fairness_weight}, reassign cost {region.reassign_cost_s} s, "
        f"start move cost {region.start_move_cost}/s"
    )


def _region(session: Session, code: str) -> Region:
    found = region_service.get_by_code(session=session, code=code)
    if found is None:
        known = ", ".join(r.code for r in region_service.list_all(session=session)[0])
        fail(f"--region: unknown region {code!r} (known: {known or 'none'}).")
    return found


def _travel(region: Region) -> str:
    estimate = f"great circle x {region.road_factor:g} at {region.speed_kmh:g} km/h"
    if region.osrm_url:
        return f"OSRM {region.osrm_url} (else {estimate})"
    return estimate
