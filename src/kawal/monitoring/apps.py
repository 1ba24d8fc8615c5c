from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "kawal.monitoring"
    label = "monitoring"
    verbose_name = _("Placement monitoring")

    def ready(self) -> None:
        from kawal.monitoring import case_file

        case_file.register()
