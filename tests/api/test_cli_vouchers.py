"""`purna vouchers offers` and `purna vouchers anniversaries` on a small database."""

from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner

from api.cli import app
from dispatch import localtime
from dispatch.db import make_engine, upgrade
from dispatch.voucher import service as voucher_service
from dispatch.voucher.models import DiscountKind, IssueRule, VoucherOfferCreate
from tests.api.outreach_support import app_settings
from tests.factories import JAKARTA, make_asset, make_customer

runner = CliRunner()


def test_cli_anniversaries_issue_once_and_offers_show_the_count(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(app_settings(url))
    upgrade(engine)
    today = localtime.local_day(localtime.utc_now(), JAKARTA)
    with Session(engine) as session:
        offer_in = VoucherOfferCreate(
            name="Ulang tahun unit", rule=IssueRule.ASSET_ANNIVERSARY,
            discount_kind=DiscountKind.PERCENT, amount=15, max_discount=100_000,
            valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
        )  # fmt: skip
        voucher_service.create_offer(session=session, offer_in=offer_in)
        bought = date(today.year - 1, today.month, min(today.day, 28))
        make_asset(session, customer=make_customer(session), purchase_date=bought)
    engine.dispose()
    first = runner.invoke(app, ["vouchers", "anniversaries", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert "1 given a voucher" in first.output
    again = runner.invoke(app, ["vouchers", "anniversaries", "--database-url", url])
    assert "0 given a voucher, 1 had theirs already" in again.output
    offers = runner.invoke(app, ["vouchers", "offers", "--database-url", url])
    assert offers.exit_code == 0, offers.output
    row = next(line for line in offers.output.splitlines() if "Ulang tahun unit" in line)
    assert "15% (max Rp 100,000)" in row and row.rstrip(" │").endswith("1")


def test_cli_kpis_prints_the_voucher_table(tmp_path: Path) -> None:
    """`purna kpis` shows vouchers issued and redeemed, the redemption rate and repeat rates."""
    url = f"sqlite:///{tmp_path / 'kpis.db'}"
    engine = make_engine(app_settings(url))
    upgrade(engine)
    today = localtime.local_day(localtime.utc_now(), JAKARTA)
    with Session(engine) as session:
        offer_in = VoucherOfferCreate(
            name="Maaf", rule=IssueRule.STAFF, discount_kind=DiscountKind.FIXED, amount=50_000,
            valid_from=today - timedelta(days=1), valid_until=today + timedelta(days=30),
            per_customer_limit=1,
        )  # fmt: skip
        offer = voucher_service.create_offer(session=session, offer_in=offer_in)
        for i in range(2):
            customer = make_customer(session, phone=f"+62 9{i}")
            voucher_service.grant(
                session=session, offer=offer, customer=customer, note="", at=localtime.utc_now()
            )
    engine.dispose()
    result = runner.invoke(app, ["kpis", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "Loyalty vouchers" in result.output
    total = [line for line in result.output.splitlines() if line.strip("│ ").startswith("all")]
    cells = [c.strip() for c in total[-1].strip("│ ").split("│")]
    assert cells[:4] == ["all", "2", "0", "0%"] and cells[5] == "2"
