"""Technicians, weekly shifts and absences for dispatchers, and who may not touch them."""

from __future__ import annotations

from tests.api import dispatch_support as support
from tests.api.dispatch_support import World
from tests.factories import DAY

api_template, world = support.api_template, support.world  # fixtures

NEW = {
    "name": "Rina Kusuma",
    "phone": "+62 811 2222 333",
    "start_lat": -6.2,
    "start_lon": 106.8,
    "skills": ["ac_service", "ac_install", "ac_install"],
}


def test_technicians_list_shows_only_the_dispatchers_regions(world: World) -> None:
    """A dispatcher of region a sees its two technicians; one of every region sees all four."""
    mine = world.get("disp_a", "/v1/technicians")
    assert mine.status_code == 200
    assert sorted(t["id"] for t in mine.json()["data"]) == sorted(t.id for t in world.techs_a)
    assert mine.json()["count"] == 2
    everyone = world.get("disp_all", "/v1/technicians").json()
    assert everyone["count"] == 4


def test_technician_create_read_update_round_trip(world: World) -> None:
    """Created with deduplicated skills (201), read back, then renamed and given new skills."""
    body = NEW | {"region_id": world.region_a.id}
    created = world.post("disp_a", "/v1/technicians", json=body)
    assert created.status_code == 201
    assert created.json()["skills"] == ["ac_install", "ac_service"]
    url = f"/v1/technicians/{created.json()['id']}"
    assert world.get("disp_a", url).json()["name"] == "Rina Kusuma"
    changed = world.client.patch(
        url, json={"name": "Rina K.", "skills": ["ac_repair"]}, headers=world.auth("disp_a")
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["skills"]) == ("Rina K.", ["ac_repair"])


def test_technician_of_another_region_is_not_found_for_a_dispatcher(world: World) -> None:
    """Dispatcher b reading or changing a technician of region a gets 404 and no data."""
    url = f"/v1/technicians/{world.techs_a[0].id}"
    read = world.get("disp_b", url)
    assert read.status_code == 404
    assert read.json()["detail"][0]["type"] == "not_found"
    assert "Budi" not in read.text
    patched = world.client.patch(url, json={"name": "x"}, headers=world.auth("disp_b"))
    assert patched.status_code == 404


def test_technician_create_in_another_region_is_forbidden(world: World) -> None:
    """Dispatcher b may not add a technician to region a (403), nor move one there."""
    created = world.post("disp_b", "/v1/technicians", json=NEW | {"region_id": world.region_a.id})
    assert created.status_code == 403
    assert created.json() == {
        "detail": [
            {
                "loc": [],
                "msg": f"You do not dispatch region {world.region_a.id}.",
                "type": "forbidden",
            }
        ]
    }
    moved = world.client.patch(
        f"/v1/technicians/{world.tech_b.id}",
        json={"region_id": world.region_a.id},
        headers=world.auth("disp_b"),
    )
    assert moved.status_code == 403


def test_technicians_need_a_dispatcher(world: World) -> None:
    """Technicians and customers get 403, a missing token 401, each in the one error shape."""
    for who in ("tech_a0", "customer"):
        response = world.get(who, "/v1/technicians")
        assert response.status_code == 403
        assert response.json()["detail"][0]["type"] == "forbidden"
    anonymous = world.client.get("/v1/technicians")
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"][0]["type"] == "unauthenticated"


def test_shifts_replace_and_read_the_weekly_pattern(world: World) -> None:
    """PUT replaces the pattern (days not given are off); GET returns it Monday first."""
    url = f"/v1/technicians/{world.techs_a[0].id}/shifts"
    assert world.get("disp_a", url).json()["count"] == 5
    pattern = [
        {"weekday": 5, "start_s": 8 * 3600, "end_s": 13 * 3600, "breaks": []},
        {"weekday": 0, "start_s": 7 * 3600, "end_s": 16 * 3600, "breaks": []},
    ]
    replaced = world.client.put(url, json=pattern, headers=world.auth("disp_a"))
    assert replaced.status_code == 200
    assert [(s["weekday"], s["start_s"]) for s in replaced.json()["data"]] == [
        (0, 7 * 3600),
        (5, 8 * 3600),
    ]
    assert world.get("disp_a", url).json()["count"] == 2


def test_shifts_with_two_shifts_on_one_weekday_are_refused(world: World) -> None:
    """Two shifts on Monday: 422 invalid_input, and the old pattern stays."""
    url = f"/v1/technicians/{world.techs_a[0].id}/shifts"
    twice = [{"weekday": 0, "start_s": 28800, "end_s": 36000, "breaks": []}] * 2
    response = world.client.put(url, json=twice, headers=world.auth("disp_a"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "invalid_input"
    assert world.get("disp_a", url).json()["count"] == 5


def test_absences_create_read_update_delete(world: World) -> None:
    """Sick leave on DAY is recorded (201), listed, changed to a half day, then removed (204)."""
    base = f"/v1/technicians/{world.techs_a[0].id}/absences"
    created = world.post("disp_a", base, json={"day": str(DAY), "kind": "sick"})
    assert created.status_code == 201
    assert (created.json()["kind"], created.json()["start_s"]) == ("sick", None)
    listed = world.get("disp_a", base, params={"from": str(DAY), "to": str(DAY)}).json()
    assert [a["day"] for a in listed["data"]] == [str(DAY)]
    half = {"day": str(DAY), "kind": "sick", "start_s": 13 * 3600, "end_s": 17 * 3600}
    updated = world.client.put(f"{base}/{DAY}", json=half, headers=world.auth("disp_a"))
    assert updated.status_code == 200
    assert updated.json()["start_s"] == 13 * 3600
    assert world.client.delete(f"{base}/{DAY}", headers=world.auth("disp_a")).status_code == 204
    gone = world.get("disp_a", f"{base}/{DAY}")
    assert gone.status_code == 404
    assert gone.json()["detail"][0]["type"] == "not_found"


def test_absences_second_on_the_same_day_conflicts(world: World) -> None:
    """One exception a day: a second POST for DAY answers 409 conflict."""
    base = f"/v1/technicians/{world.techs_a[0].id}/absences"
    assert world.post("disp_a", base, json={"day": str(DAY), "kind": "leave"}).status_code == 201
    again = world.post("disp_a", base, json={"day": str(DAY), "kind": "sick"})
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "conflict"


def test_absences_of_another_regions_technician_are_not_found(world: World) -> None:
    """Dispatcher b cannot list or add absences of a technician of region a (404)."""
    base = f"/v1/technicians/{world.techs_a[0].id}/absences"
    listed = world.get("disp_b", base, params={"from": str(DAY), "to": str(DAY)})
    assert listed.status_code == 404
    added = world.post("disp_b", base, json={"day": str(DAY), "kind": "leave"})
    assert added.status_code == 404
