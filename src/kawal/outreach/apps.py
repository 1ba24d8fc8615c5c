from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "kawal.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from kawal.access.catalogue import Capability
        from kawal.outreach import case_file
        from kawal.web.extensions import NavItem, any_of, register_nav_item

        case_file.register()
        register_nav_item(
            NavItem("outreach:list", _("Outreach"), any_of(Capability.LOG_OUTREACH), order=50)
        )
