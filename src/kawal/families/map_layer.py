"""Community sessions as a layer of the hotspot map: counts per kelurahan, no names."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from kawal.families.selectors import community_session_stats
from kawal.hotspots.layers import LayerColumn, MapLayer, register_map_layer
from kawal.hotspots.selectors import HotspotFilter


def _counts(criteria: HotspotFilter) -> Mapping[str, Mapping[str, int]]:
    # Only the dates apply: activity and time of day describe children on the street.
    return {
        row.code: {"sessions": row.sessions, "attendees": row.attendees}
        for row in community_session_stats(date_from=criteria.date_from, date_to=criteria.date_to)
    }


LAYER = MapLayer(
    key="families.community_sessions",
    order=10,
    label=_("Community sessions"),
    columns=(
        LayerColumn("sessions", _("Sessions")),
        LayerColumn("attendees", _("People reached")),
    ),
    counts=_counts,
)


def register() -> None:
    register_map_layer(LAYER)
