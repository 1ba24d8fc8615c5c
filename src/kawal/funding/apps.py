from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "kawal.funding"
    label = "funding"
    verbose_name = _("Funding")

    def ready(self) -> None:
        from kawal.funding import case_file

        case_file.register()
        register_roster_lock()


def register_roster_lock() -> None:
    """Days of a locked cycle can no longer change on the roster (monitoring's hook)."""
    from kawal.funding.services import day_locked
    from kawal.monitoring.locks import register_day_lock

    register_day_lock(day_locked)
