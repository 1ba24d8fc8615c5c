from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "kawal.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from kawal.outreach import case_file

        case_file.register()
