from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_settings(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    from kawal.reminders.models import ReminderSetting
    from kawal.reminders.services import settings_sync

    # Not after a migration that took the table away (``migrate reminders zero``).
    if ReminderSetting._meta.db_table in connections[using].introspection.table_names():
        settings_sync()


class RemindersConfig(AppConfig):
    name = "kawal.reminders"
    label = "reminders"
    verbose_name = _("Reminders")

    def ready(self) -> None:
        from kawal.cases.extensions import register_reminder_rule
        from kawal.notify.kinds import register_kind
        from kawal.reminders.rules import KINDS, RULES

        for kind in KINDS:
            register_kind(kind)
        for rule in RULES:
            register_reminder_rule(rule)
        # A row per registered rule right after migrate, so the console lists
        # them all before the first run (which creates any still missing).
        post_migrate.connect(_sync_settings, sender=self, dispatch_uid="reminders.settings_sync")
