from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kawal.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from kawal.access.catalogue import Capability
        from kawal.reports import case_file, reminders
        from kawal.reports.home import TRIAGE_CARD
        from kawal.web.extensions import NavItem, any_of, register_home_card, register_nav_item

        case_file.register()
        reminders.register()
        register_home_card(TRIAGE_CARD)
        register_nav_item(
            NavItem("reports:triage", _("Reports"), any_of(Capability.TRIAGE_REPORTS), order=40)
        )
        register_nav_item(
            NavItem(
                "reports:take_in", _("Record a report"), any_of(Capability.TAKE_REPORT), order=41
            )
        )
