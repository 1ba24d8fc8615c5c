"""The area the system serves, for sanity checks on map points.

A point outside is a mistake (a phone's stale fix, a typo), not a sighting.
Balikpapan and its surroundings for now; another city sets its own box.
"""

from __future__ import annotations

from decimal import Decimal

LATITUDE = (Decimal("-1.45"), Decimal("-0.95"))
LONGITUDE = (Decimal("116.65"), Decimal("117.10"))


def inside(latitude: Decimal, longitude: Decimal) -> bool:
    return LATITUDE[0] <= latitude <= LATITUDE[1] and LONGITUDE[0] <= longitude <= LONGITUDE[1]
