"""Extra layers on the hotspot map, registered by the apps that own the data.

The map knows sightings and finds; other apps (community sessions, later
placements or statistics) add a layer of counts per kelurahan without the
map importing them: each app registers a ``MapLayer`` in its
``AppConfig.ready()``. A layer carries numbers per kelurahan and nothing
else, drawn as circles at the kelurahan's centre: never a name, a case, an
address or free text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from kawal.hotspots.selectors import HotspotFilter


@dataclass(frozen=True)
class LayerColumn:
    key: str
    label: str | Promise


@dataclass(frozen=True)
class MapLayer:
    """Counts per kelurahan from another app.

    ``counts`` gets the map's filter and returns, per kelurahan code, a
    mapping of column key to a whole number; the first column sizes the
    circle. ``columns`` name the numbers in the table under the map.
    """

    key: str
    order: int
    label: str | Promise
    columns: tuple[LayerColumn, ...]
    counts: Callable[[HotspotFilter], Mapping[str, Mapping[str, int]]]


_LAYERS: dict[str, MapLayer] = {}


def register_map_layer(layer: MapLayer) -> None:
    if not layer.columns:
        raise ValueError(f"map layer {layer.key!r} has no columns")
    if layer.key in _LAYERS and _LAYERS[layer.key] != layer:
        raise ValueError(f"{layer.key!r} is registered twice on the hotspot map")
    _LAYERS[layer.key] = layer


def map_layers() -> list[MapLayer]:
    return sorted(_LAYERS.values(), key=lambda layer: (layer.order, layer.key))


def _whole(value: Any) -> int:
    # Only numbers leave a layer, whatever an app hands back.
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else 0


def _rounded(value: Any) -> float | None:
    from kawal.hotspots.selectors import DECIMALS

    return None if value is None else round(float(value), DECIMALS)


def layer_data(criteria: HotspotFilter) -> list[dict[str, Any]]:
    """Every registered layer's counts with the kelurahan centre, for the page and the endpoint.

    Codes that name no region are dropped, and so are rows of zeros.
    """
    from kawal.regions.models import Region

    counted = [(layer, layer.counts(criteria)) for layer in map_layers()]
    codes = {code for _layer, counts in counted for code in counts}
    regions = {region.code: region for region in Region.objects.filter(code__in=codes)}
    result = []
    for layer, counts in counted:
        keys = [column.key for column in layer.columns]
        rows = []
        for code, values in sorted(counts.items()):
            region = regions.get(code)
            numbers = {key: _whole(values.get(key)) for key in keys}
            if region is None or not any(numbers.values()):
                continue
            rows.append(
                {
                    "code": region.code,
                    "name": region.name,
                    "lat": _rounded(region.latitude),
                    "lon": _rounded(region.longitude),
                    "count": numbers[keys[0]],
                    "values": [numbers[key] for key in keys],
                }
            )
        result.append(
            {
                "key": layer.key,
                "label": str(layer.label),
                "columns": [str(column.label) for column in layer.columns],
                "kelurahan": rows,
            }
        )
    return result
