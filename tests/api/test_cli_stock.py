"""`purna stock show` and `purna stock receive` on the demo: tables printed, follow-ups opened;
bad input is one line and exit 2."""

from sqlmodel import Session, col, select
from typer.testing import CliRunner

from api.cli import app
from dispatch.db import make_engine
from dispatch.parts.models import LocationKind, StockLocation
from tests.api.test_cli_dispatch import demo_url  # noqa: F401  (fixture)
from tests.dispatch.conftest import settings_for

runner = CliRunner()


def _warehouse_id(url: str) -> int:
    engine = make_engine(settings_for(url))
    with Session(engine) as session:
        query = select(StockLocation).where(StockLocation.kind == LocationKind.WAREHOUSE)
        warehouse = session.exec(query.order_by(col(StockLocation.id))).first()
    engine.dispose()
    assert warehouse is not None
    return warehouse.id or 0


def test_stock_show_lists_each_location_and_its_parts(demo_url: str) -> None:  # noqa: F811
    result = runner.invoke(
        app, ["stock", "show", "--region", "jkt-south", "--database-url", demo_url]
    )
    assert result.exit_code == 0, result.output
    assert "Gudang Jakarta Selatan" in result.output and "SJK-CAP-35UF" in result.output
    assert "stock-outs: 0 (0 at warehouses)" in result.output


def test_stock_receive_adds_to_the_balance_and_refuses_bad_input(demo_url: str) -> None:  # noqa: F811
    location = str(_warehouse_id(demo_url))
    base = ["stock", "receive", "--region", "jkt-south", "--database-url", demo_url]
    ok = runner.invoke(
        app, [*base, "--location-id", location, "--part-number", "JYA-BRK-15", "--quantity", "3"]
    )
    assert ok.exit_code == 0, ok.output
    assert "JYA-BRK-15 at location" in ok.output and "15 on hand" in ok.output
    unknown = runner.invoke(
        app, [*base, "--location-id", location, "--part-number", "NOPE", "--quantity", "1"]
    )
    assert unknown.exit_code == 2
    assert "part_number: part number NOPE does not exist." in unknown.output
