"""`purna vouchers`: the offers with what they issued, and the anniversary run on demand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.commands.database import settings_for
from api.commands.tables import make_console
from dispatch import db, localtime
from dispatch.voucher import rules as voucher_rules
from dispatch.voucher import service as voucher_service
from dispatch.voucher.models import DiscountKind, VoucherOffer

vouchers_app = typer.Typer(help="Loyalty vouchers: the offers, and the anniversary run.")

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
]


def register(app: typer.Typer) -> None:
    """Add the vouchers group to the purna app."""
    app.add_typer(vouchers_app, name="vouchers")


@vouchers_app.command("offers")
def offers_command(database_url: DatabaseUrl = None) -> None:
    """Print every offer: its rule, discount, dates, limits and how many it issued."""
    engine = db.make_engine(settings_for(database_url))
    with db.session_scope(engine) as session:
        offers = voucher_service.list_offers(session=session)
        make_console().print(offer_table(offers))


@vouchers_app.command("anniversaries")
def anniversaries_command(database_url: DatabaseUrl = None) -> None:
    """Issue the anniversary vouchers due now (what the daily task does; each unit's year once)."""
    engine = db.make_engine(settings_for(database_url))
    with db.session_scope(engine) as session:
        counts = voucher_rules.issue_anniversaries(session=session, now=localtime.utc_now())
    typer.echo(f"units with an anniversary: {counts['issued']} given a voucher, "
               f"{counts['had one']} had theirs already")  # fmt: skip


def offer_table(offers: list[VoucherOffer]) -> Table:
    """One row per offer."""
    table = Table(title="Voucher offers", title_justify="left")
    for name in ("id", "name", "rule", "discount", "min. price", "until", "per cust.", "total"):
        table.add_column(name, no_wrap=True)
    table.add_column("issued", justify="right")
    for o in offers:
        off = f"{o.amount}%" if o.discount_kind is DiscountKind.PERCENT else f"Rp {o.amount:,}"
        cap = f" (max Rp {o.max_discount:,})" if o.max_discount else ""
        table.add_row(
            str(o.id), o.name, o.rule.value, off + cap, f"Rp {o.min_price:,}",
            str(o.valid_until), str(o.per_customer_limit), str(o.total_limit or "-"),
            str(o.issued),
        )  # fmt: skip
    return table
