from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimfoniConfig(AppConfig):
    name = "kawal.simfoni"
    label = "simfoni"
    verbose_name = _("SIMFONI-PPA")
