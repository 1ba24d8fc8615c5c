from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "kawal.figures"
    label = "figures"
    verbose_name = _("Figures and dashboards")

    def ready(self) -> None:
        from kawal.access.catalogue import Capability
        from kawal.web.extensions import NavItem, any_of, register_nav_item

        register_nav_item(
            NavItem("figures:dashboard", _("Figures"), any_of(Capability.VIEW_DASHBOARD), order=58)
        )
