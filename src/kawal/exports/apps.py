from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "kawal.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from kawal.exports import case_file

        case_file.register()
