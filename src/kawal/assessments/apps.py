from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "kawal.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from kawal.assessments import case_file, home
        from kawal.assessments.reminders import RULE_KEY, assessments_due
        from kawal.cases.extensions import ReminderRule, register_reminder_rule
        from kawal.web.extensions import HomeCard, register_home_card

        case_file.register()
        register_reminder_rule(ReminderRule(RULE_KEY, _("Assessments due"), assessments_due))
        register_home_card(
            HomeCard(
                key="assessments.drafts",
                order=30,
                template="assessments/home_drafts.html",
                shown_to=home.may_assess,
                context=home.drafts_card,
            )
        )
