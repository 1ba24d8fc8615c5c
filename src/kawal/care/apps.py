from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "kawal.care"
    label = "care"
    verbose_name = _("Care")

    def ready(self) -> None:
        from kawal.access.catalogue import Capability
        from kawal.care import case_file
        from kawal.web.extensions import NavItem, any_of, register_nav_item

        case_file.register()
        register_nav_item(
            NavItem(
                "care:today",
                _("Daily observations"),
                any_of(Capability.RECORD_CLINICAL),
                order=45,
            )
        )
