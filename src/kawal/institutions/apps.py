from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "kawal.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        from kawal.access.catalogue import Capability
        from kawal.cases.extensions import register_reminder_rule
        from kawal.institutions.home import ALERTS_CARD
        from kawal.institutions.reminders import RULE
        from kawal.web.extensions import NavItem, any_of, register_home_card, register_nav_item

        register_reminder_rule(RULE)
        register_home_card(ALERTS_CARD)
        register_nav_item(
            NavItem(
                "institutions:list",
                _("Institutions"),
                any_of(Capability.MANAGE_INSTITUTIONS, Capability.RECORD_PAYMENT),
                order=65,
            )
        )
        # Institution staff reach their own institution's page; the registry is not theirs.
        register_nav_item(
            NavItem(
                "institutions:mine",
                _("Our institution"),
                any_of(Capability.CARE_FOR_PLACED),
                order=66,
            )
        )
