from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    name = "kawal.hotspots"
    label = "hotspots"
    verbose_name = _("Hotspot map")

    def ready(self) -> None:
        from kawal.access.catalogue import Capability
        from kawal.web.extensions import NavItem, any_of, register_nav_item

        register_nav_item(
            NavItem("hotspots:map", _("Hotspot map"), any_of(Capability.VIEW_HOTSPOT_MAP), order=60)
        )
