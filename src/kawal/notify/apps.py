from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "kawal.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from kawal.notify import workflow
        from kawal.web.extensions import NavItem, register_nav_item

        workflow.register()
        # Everyone signed in has an inbox.
        register_nav_item(NavItem(url_name="notify:inbox", label=_("Notifications"), order=5))
