from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimfoniConfig(AppConfig):
    name = "kawal.simfoni"
    label = "simfoni"
    verbose_name = _("SIMFONI-PPA")

    def ready(self) -> None:
        from kawal.access.catalogue import Capability
        from kawal.exports.registry import register_export_kind
        from kawal.simfoni.export import EXPORT_KIND
        from kawal.web.extensions import NavItem, any_of, register_nav_item

        register_export_kind(EXPORT_KIND)
        register_nav_item(
            NavItem("simfoni:page", _("SIMFONI-PPA"), any_of(Capability.EXPORT_SIMFONI), order=75)
        )
