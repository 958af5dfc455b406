"""Set-up and read-back for the browser journeys, over the same /v1 API the pages use."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.web.conftest import Site


class Api:
    """A role's view of the site's API (set-up and assertions; the journeys use the pages)."""

    def __init__(self, site: Site, role: str) -> None:
        self.client = httpx.Client(
            base_url=site.url + "/v1",
            headers={"Authorization": f"Bearer {site.tokens[role]}"},
            timeout=30,
        )

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return self.client.post(path, json=body)

    def delete(self, path: str) -> httpx.Response:
        return self.client.delete(path)


def next_working_days(api: Api, region: str, count: int) -> list[date]:
    """The next days after today (the region's) with visits (the demo rests on Sundays)."""
    today = datetime.now(ZoneInfo(api.get(f"/regions/{region}")["timezone"])).date()
    days: list[date] = []
    day = today
    while len(days) < count and day < today + timedelta(days=14):
        day += timedelta(days=1)
        if api.get(f"/regions/{region}/days/{day}")["visits"]:
            days.append(day)
    assert len(days) == count, f"the demo has fewer than {count} working days ahead"
    return days
