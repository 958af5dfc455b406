"""`purna run`, `purna serve` and `purna users create`: start Purna, and give people tokens.

purna run is the newcomer's one command: the embedded shape (SQLite file, solve jobs in
threads, scheduler in the process) with demo data and a token per role printed. purna serve
is the same server with every setting from the environment, and no demo data.
"""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from rich.table import Table
from sqlmodel import Session

from api.commands.tables import make_console
from api.main import create_app
from dispatch import db
from dispatch.account import service as account_service
from dispatch.account.demo_users import DemoUser, ensure_demo_users
from dispatch.account.models import Role, UserCreate
from dispatch.config import Settings, get_settings
from dispatch.customer import service as customer_service
from dispatch.errors import DomainError
from dispatch.localtime import local_day, utc_now
from dispatch.planning import service as planning_service
from dispatch.region import service as region_service
from dispatch.technician import service as technician_service
from dispatch.telemetry import logs

BAD_INPUT = 2
EMBEDDED_URL = "sqlite:///./purna.db"
users_app = typer.Typer(help="Accounts and their bearer tokens.", no_args_is_help=True)

Host = Annotated[str, typer.Option(help="Interface to listen on.")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


def register(app: typer.Typer) -> None:
    """Add run, serve and users to the purna app."""
    app.command("run")(run_command)
    app.command("serve")(serve_command)
    app.add_typer(users_app, name="users")


def serve_command(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    migrate: Annotated[bool, typer.Option(help="Run the migrations first.")] = True,
) -> None:
    """Serve the API with the settings of the environment (DATABASE_URL, JOB_RUNNER, ...)."""
    settings = get_settings()
    if settings.log_format == "json":
        logs.configure_json(settings)
    if migrate:
        db.upgrade(settings.database_url)
    # log_config None: uvicorn keeps its hands off the JSON handler set up above.
    log_config = None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG
    uvicorn.run(create_app(settings), host=host, port=port, log_config=log_config)


def run_command(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    database_url: Annotated[str, typer.Option(help="The embedded database.")] = EMBEDDED_URL,
) -> None:
    """Migrate, load the demo data into an empty database, print a token per role, and serve
    on http://HOST:PORT (OpenAPI docs at /docs) in the embedded shape."""
    settings = embedded_settings(database_url)
    demo_users = prepare(settings)
    print_welcome(demo_users, f"http://{host}:{port}")
    uvicorn.run(create_app(settings), host=host, port=port)


def embedded_settings(database_url: str = EMBEDDED_URL) -> Settings:
    """The embedded shape, whatever the environment says about it: SQLite, threads, scheduler."""
    return Settings(database_url=database_url, job_runner="thread", embedded_scheduler=True)


def prepare(settings: Settings) -> list[DemoUser]:
    """Migrate, load the demo data when there is no region yet, and issue the demo tokens."""
    from dispatch.demo.loader import load_demo  # the demo generator is only needed here

    db.upgrade(settings.database_url)
    engine = db.make_engine(settings)
    try:
        with db.session_scope(engine) as session:
            _, regions = region_service.list_all(session=session, limit=1)
            if regions == 0:
                make_console(stderr=True).print("Loading the demo data (once)...")
                load_demo(session)
                _publish_today(session, settings)
            return ensure_demo_users(session=session)
    finally:
        engine.dispose()


def _publish_today(session: Session, settings: Settings) -> None:
    """Plan and publish today in the first region, so the demo technician has a route."""
    region = region_service.list_by_codes(session=session, codes=None)[0]
    today = local_day(utc_now(), region.zone)
    try:
        plan = planning_service.plan_day(
            session=session,
            region=region,
            day=today,
            options=planning_service.options_from(settings, time_limit_s=3.0),
        )
        planning_service.publish(session=session, plan=plan)
    except DomainError as exc:  # a day without work (Sunday) is no reason not to start
        make_console(stderr=True).print(f"Today's demo plan was not published: {exc}")


# The page each demo role opens first; ?token= signs the browser in once.
HOME_PAGE = {Role.ADMIN: "/board", Role.DISPATCHER: "/board", Role.TECHNICIAN: "/me"}


def print_welcome(demo_users: list[DemoUser], base_url: str) -> None:
    """The address, the docs, a token per role with what it may see, and a link that opens
    that role's page signed in."""
    console = make_console()
    table = Table(title="Demo tokens (new ones on every start)", title_justify="left")
    for name in ("role", "user", "may use", "token"):
        table.add_column(name)
    for d in demo_users:
        table.add_row(d.role.value, d.name, d.about, d.token)
    console.print(f"Purna is starting on {base_url} (OpenAPI docs: {base_url}/docs)")
    console.print(table)
    for d in demo_users:
        page = HOME_PAGE.get(d.role, "/book")
        console.print(f"{d.role.value:>10}: {base_url}{page}?token={d.token}", soft_wrap=True)
    if demo_users:
        console.print(
            f'Try: curl -H "Authorization: Bearer {demo_users[0].token}" {base_url}/v1/regions'
        )


@users_app.command("create")
def create_user_command(
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    name: Annotated[str, typer.Option(help="Who it is, e.g. Dewi Lestari.")],
    technician_id: Annotated[int | None, typer.Option(help="Technicians: which one.")] = None,
    customer_id: Annotated[int | None, typer.Option(help="Customers: which one.")] = None,
    regions: Annotated[
        str | None, typer.Option(help="Dispatchers: region codes, comma-separated (default all).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Default: DATABASE_URL, else SQLite.")
    ] = None,
) -> None:
    """Create a user and print its bearer token, once: only its hash is stored. It expires
    after STAFF_TOKEN_DAYS (30) or, for customers, CUSTOMER_TOKEN_DAYS (365) days."""
    codes = [c.strip() for c in (regions or "").split(",") if c.strip()]
    settings = get_settings()
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    engine = db.make_engine(settings)
    try:
        with db.session_scope(engine) as session:
            _check_references(session, codes, technician_id, customer_id)
            user_in = UserCreate(
                name=name,
                role=role,
                region_codes=codes,
                technician_id=technician_id,
                customer_id=customer_id,
            )
            days = account_service.valid_days(
                role,
                staff_days=settings.staff_token_days,
                customer_days=settings.customer_token_days,
            )
            user, token = account_service.create(session=session, user_in=user_in, days=days)
    except (DomainError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(BAD_INPUT) from None
    finally:
        engine.dispose()
    typer.echo(f"Created {user.role.value} {user.name!r} (id {user.id}). Bearer token:")
    typer.echo(token)


def _check_references(
    session: Session, codes: list[str], technician_id: int | None, customer_id: int | None
) -> None:
    """Refuse unknown regions, technicians and customers with a sentence, not a traceback."""
    for code in codes:
        if region_service.get_by_code(session=session, code=code) is None:
            raise ValueError(f"--regions: there is no region {code!r}.")
    if technician_id is not None:
        technician_service.get_or_raise(session=session, technician_id=technician_id)
    if customer_id is not None:
        customer_service.get_or_raise(session=session, customer_id=customer_id)
