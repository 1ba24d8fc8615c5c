from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    name = "kawal.hotspots"
    label = "hotspots"
    verbose_name = _("Hotspot map")
