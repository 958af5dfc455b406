"""Demo partner workshops (bengkel rekanan) in Greater Jakarta: the free services and oil
changes of the demo's motorcycles and cars can be booked at their bays."""

from __future__ import annotations

from datetime import time

from sqlmodel import Session

from dispatch.product.models import VisitKind
from dispatch.region.models import Region
from dispatch.workshop import service as workshop_service
from dispatch.workshop.models import OpeningHours, WorkshopCreate

K = VisitKind
# Monday to Saturday 08-17, Sunday 09-14: the hours of a typical authorised bengkel.
WEEK = [OpeningHours(weekday=d, opens=time(8), closes=time(17)) for d in range(6)]
SUNDAY = [OpeningHours(weekday=6, opens=time(9), closes=time(14))]
FREE = [K.PERIODIC_SERVICE, K.OIL_CHANGE]

# (region code, name, address, lat, lon, bays, slot minutes, open on Sunday)
WORKSHOPS: tuple[tuple[str, str, str, float, float, int, int, bool], ...] = (
    ("jkt-south", "Bengkel Gesit Kemang", "Jl. Kemang Raya 45, Jakarta Selatan",
     -6.2620, 106.8130, 4, 60, True),
    ("jkt-south", "Bengkel Jaya Mobil Fatmawati", "Jl. RS Fatmawati 12, Cilandak",
     -6.2920, 106.7970, 3, 90, False),
    ("jkt-east", "Bengkel Gesit Rawamangun", "Jl. Pemuda 88, Rawamangun",
     -6.1960, 106.8890, 3, 60, True),
    ("tangerang", "Bengkel Gesit BSD", "Jl. Pahlawan Seribu, BSD City",
     -6.3010, 106.6670, 5, 60, True),
    ("bekasi-depok", "Bengkel Jaya Margonda", "Jl. Margonda Raya 301, Depok",
     -6.3790, 106.8330, 2, 60, False),
    ("bekasi-depok", "Bengkel Gesit Bekasi", "Jl. Ahmad Yani 20, Bekasi Barat",
     -6.2470, 106.9900, 3, 60, True),
)  # fmt: skip


def load_workshops(session: Session, regions: dict[str, Region]) -> int:
    """Register the demo workshops of these regions not there yet; how many were added."""
    added = 0
    for code, name, address, lat, lon, bays, minutes, sunday in WORKSHOPS:
        region = regions.get(code)
        if region is None or workshop_service.find_by_name(
            session=session, region_id=region.id or 0, name=name
        ):
            continue
        workshop_in = WorkshopCreate(
            name=name, address=address, phone="+62 21 5550 0000", lat=lat, lon=lon, bays=bays,
            slot_minutes=minutes, region=code, hours=WEEK + (SUNDAY if sunday else []),
            services=FREE,
        )  # fmt: skip
        workshop_service.create(session=session, workshop_in=workshop_in)
        added += 1
    return added
