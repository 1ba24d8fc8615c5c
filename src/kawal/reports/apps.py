from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kawal.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from kawal.reports import case_file

        case_file.register()
