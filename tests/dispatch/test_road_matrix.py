"""The OSRM table client against a tiny OSRM look-alike on 127.0.0.1, and plans that use it."""

import json
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session

from dispatch.errors import RoutingUnavailable
from dispatch.planning import convert, solving
from dispatch.planning import service as planning_service
from dispatch.planning import travel as planning_travel
from dispatch.region import service as region_service
from dispatch.region.models import RegionUpdate
from dispatch.road_matrix import road_table
from tests.dispatch.planning_day import FAST, small_day
from tests.factories import DAY

POINTS = [(-6.2443, 106.8004), (-6.2607, 106.8137), (-6.2260, 106.8530), (-6.2900, 106.8000)]


@dataclass
class FakeOsrm:
    """What the look-alike was asked, and how it should answer."""

    url: str = ""
    requests: list[str] = field(default_factory=list)
    answer: str = "Ok"  # or an OSRM error code, or "null" for a missing road
    on_request: Callable[[], None] | None = None  # run before answering (to probe locks)
    fail_after: int | None = None  # answer HTTP 500 from this many requests on (mid-way)


def road_s(metres: float) -> float:
    """The look-alike's drive: 30 km/h (the demo regions' estimate is 25 km/h x 1.4)."""
    return metres / (30 / 3.6)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111_000
    dx = (a[1] - b[1]) * 111_000 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy) * 1.3


def _table(fake: FakeOsrm, path: str, query: dict[str, list[str]]) -> dict[str, Any]:
    """Answer like OSRM: durations at 30 km/h over 1.3 x the straight line, as floats."""
    text = path.rsplit("/", 1)[-1]
    points = [(float(p.split(",")[1]), float(p.split(",")[0])) for p in text.split(";")]
    sources = [int(i) for i in query["sources"][0].split(";")]
    targets = [int(i) for i in query["destinations"][0].split(";")]
    if fake.answer == "null":
        nothing = [[None for _ in targets] for _ in sources]
        return {"code": "Ok", "durations": nothing, "distances": nothing}
    if fake.answer != "Ok":
        return {"code": fake.answer, "message": "Too many table coordinates"}
    grid = [[metres(points[i], points[j]) for j in targets] for i in sources]
    return {
        "code": "Ok",
        "durations": [[road_s(m) for m in row] for row in grid],
        "distances": [[m for m in row] for row in grid],
    }


@pytest.fixture
def osrm() -> Iterator[FakeOsrm]:
    """An OSRM look-alike serving /table/v1/driving on a free port of 127.0.0.1; the road
    tables cached by earlier tests are forgotten (region ids and ports come round again)."""
    planning_travel.drop_cached()
    fake = FakeOsrm()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            parts = urlsplit(self.path)
            fake.requests.append(self.path)
            if fake.on_request is not None:
                fake.on_request()
            if fake.fail_after is not None and len(fake.requests) > fake.fail_after:
                self.send_error(500, "worker crashed")
                return
            body = json.dumps(_table(fake, parts.path, parse_qs(parts.query))).encode()
            self.send_response(200 if fake.answer in ("Ok", "null") else 400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # keep the test output clean
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


def test_road_table_reads_durations_and_distances_as_whole_numbers(osrm: FakeOsrm) -> None:
    """Entries are rounded to whole seconds and metres, zero on the diagonal, in point order."""
    table = road_table(osrm.url, POINTS)
    expected = round(road_s(metres(POINTS[0], POINTS[2])))
    assert table.durations_s[0][2] == expected
    assert table.distances_m[0][2] == round(metres(POINTS[0], POINTS[2]))
    assert [table.durations_s[i][i] for i in range(4)] == [0, 0, 0, 0]
    assert "annotations=duration%2Cdistance" in osrm.requests[0]
    assert len(osrm.requests) == 1


def test_road_table_in_blocks_equals_one_request(osrm: FakeOsrm) -> None:
    """A table asked for in 2 x 2 blocks (four requests) equals the one-request table."""
    whole = road_table(osrm.url, POINTS)
    blocks = road_table(osrm.url, POINTS, block=2)
    assert blocks == whole
    assert len(osrm.requests) == 1 + 4


def test_road_table_asks_once_for_repeated_points(osrm: FakeOsrm) -> None:
    """Technicians sharing a service centre are one point for the server, two rows for us."""
    table = road_table(osrm.url, [POINTS[0], POINTS[1], POINTS[0]])
    assert osrm.requests[0].count(";") == 1  # two coordinates sent
    assert table.durations_s[2] == table.durations_s[0]
    assert len(table.durations_s) == 3


@pytest.mark.parametrize(
    ("answer", "message"),
    [("TooBig", "answered: Too many table coordinates"), ("null", "no road found")],
)
def test_road_table_server_errors_are_routing_unavailable(
    osrm: FakeOsrm, answer: str, message: str
) -> None:
    """An OSRM error code or a missing road is a RoutingUnavailable naming osrm_url."""
    osrm.answer = answer
    with pytest.raises(RoutingUnavailable, match=message) as info:
        road_table(osrm.url, POINTS)
    assert info.value.loc == ("osrm_url",)


def test_road_table_unreachable_server_is_routing_unavailable() -> None:
    """Nothing listening on the port: RoutingUnavailable saying unreachable."""
    with pytest.raises(RoutingUnavailable, match="unreachable"):
        road_table("http://127.0.0.1:9", POINTS)


def test_plan_day_uses_the_region_routing_server(session: Session, osrm: FakeOsrm) -> None:
    """A region with osrm_url plans on the server's matrix; the plan is valid on it."""
    day = small_day(session)
    region_service.update(
        session=session, region=day.region, region_in=RegionUpdate(osrm_url=osrm.url)
    )
    plan = planning_service.plan_day(session=session, region=day.region, day=DAY, options=FAST)
    problem, solved = convert.from_rows(plan)
    assert plan.plan_json["problem"]["travel"]["model"] == "matrix"
    assert problem.travel.size == 4  # type: ignore[union-attr]  # one row per distinct place
    assert solved.totals.assigned == 4
    assert solving.check_stored(plan) == []
    assert osrm.requests
