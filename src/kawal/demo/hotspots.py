"""Demo data for the hotspot map: conducted outreach operations over several months.

All synthetic. The children, names and operations are invented; the points are
public places (junctions, markets, the seafront) picked by hand on a map, where
children selling tissues or begging are plausibly found. No point is a home,
shelter or placement address.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import Agency, User
from kawal.outreach import services as outreach
from kawal.outreach.models import Capture, Operation
from kawal.regions.models import Region

TITLE_MARK = "(sintetis, peta)"

# (kelurahan code, public place, latitude, longitude, usual local hour)
HOTSPOTS: tuple[tuple[str, str, str, str, int], ...] = (
    ("64.71.06.1003", "Lapangan Merdeka", "-1.2770", "116.8283", 20),
    ("64.71.06.1004", "Simpang empat Klandasan", "-1.2762", "116.8222", 19),
    ("64.71.05.1011", "Pantai Kemala", "-1.2733", "116.8609", 17),
    ("64.71.05.1006", "Simpang Balikpapan Baru", "-1.2568", "116.8655", 21),
    ("64.71.04.1002", "Pasar Pandansari", "-1.2585", "116.8268", 7),
    ("64.71.04.1006", "Simpang Plaza Rapak", "-1.2470", "116.8440", 18),
    ("64.71.03.1004", "Simpang Muara Rapak", "-1.2415", "116.8335", 20),
    ("64.71.05.1009", "Lampu merah Sepinggan", "-1.2672", "116.8782", 12),
)
NAMES = ("Dika", "Putri", "Rian", "Sinta", "Agus", "Wulan", "Bayu", "Nur", "Eko", "Lia")


def demo_load_hotspots(*, seed: int = 7, months: int = 5) -> int:
    """About two operations a month at the hotspots; returns the number of children found."""
    if Operation.objects.filter(title__endswith=TITLE_MARK).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    lead: User = users["satpolpp"]
    team = list(Agency.objects.filter(kind__in=["satpol_pp", "dp3akb"]))
    today = timezone.localdate()
    found = 0
    with transaction.atomic():
        for number in range(months * 2):
            code, place, lat, lon, hour = HOTSPOTS[number % len(HOTSPOTS)]
            day = today - timedelta(days=7 + number * 15 + rng.randint(0, 6))
            starts = timezone.make_aware(datetime.combine(day, time(hour, 0)))
            operation = outreach.operation_create(
                title=f"Operasi {place} {TITLE_MARK}",
                starts_at=starts,
                area=Region.objects.get(code=code),
                area_note=place,
                agencies=team,
                acting_user=lead,
            )
            for _child in range(rng.randint(2, 4)):
                data = outreach.CaptureInput(
                    name_as_told=f"{rng.choice(NAMES)} (sintetis)",
                    age_estimate=rng.randint(6, 14),
                    sex=rng.choice(["M", "F"]),
                    activity=rng.choice(["tissues", "tissues", "begging", "newspapers", "busking"]),
                    place=f"{place} (sintetis)",
                    accompanying_adult="",
                    taken_to=rng.choice(["home", "home", "uptd"]),
                    undertaking_signed=True,
                    # A few metres around the place, as a phone's position would be.
                    latitude=Decimal(lat) + Decimal(rng.randint(-15, 15)) / 100000,
                    longitude=Decimal(lon) + Decimal(rng.randint(-15, 15)) / 100000,
                )
                capture = outreach.capture_add(
                    operation, data, choice="new", shown=[], acting_user=lead
                )
                when = starts + timedelta(minutes=rng.randint(0, 90))
                Capture.objects.filter(pk=capture.pk).update(created_at=when)
                found += 1
    return found
