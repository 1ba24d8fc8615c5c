from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolingConfig(AppConfig):
    name = "kawal.schooling"
    label = "schooling"
    verbose_name = _("Schooling")

    def ready(self) -> None:
        from kawal.schooling import case_file

        case_file.register()
