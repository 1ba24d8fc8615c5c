from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "kawal.families"
    label = "families"
    verbose_name = _("Families")

    def ready(self) -> None:
        from kawal.access.catalogue import Capability
        from kawal.families import case_file, map_layer
        from kawal.families.home import RT_CARD
        from kawal.web.extensions import NavItem, any_of, register_home_card, register_nav_item

        case_file.register()
        map_layer.register()
        register_home_card(RT_CARD)
        register_nav_item(
            NavItem(
                "families:rt_visits",
                _("Confirm home visits"),
                any_of(Capability.CONFIRM_HOME),
                order=45,
            )
        )
        register_nav_item(
            NavItem(
                "families:programmes",
                _("Parent programmes"),
                any_of(Capability.RUN_PARENTING, Capability.OPEN_CASE),
                order=55,
            )
        )
        register_nav_item(
            NavItem(
                "families:community",
                _("Community sessions"),
                any_of(Capability.RUN_PARENTING, Capability.OPEN_CASE),
                order=56,
            )
        )
