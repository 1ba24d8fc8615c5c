from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from kawal.accounts.admin_site import admin_site

urlpatterns = [
    path("", include("kawal.web.urls")),
    path("", include("kawal.accounts.urls")),
    path("", include("kawal.cases.urls")),
    path("", include("kawal.identity.urls")),
    path("", include("kawal.outreach.urls")),
    path("", include("kawal.reports.urls")),
    path("", include("kawal.hotspots.urls")),
    path("", include("kawal.assessments.urls")),
    path("", include("kawal.care.urls")),
    path("", include("kawal.shelters.urls")),
    path("", include("kawal.families.urls")),
    path("", include("kawal.institutions.urls")),
    path("", include("kawal.placement.urls")),
    path("", include("kawal.monitoring.urls")),
    path("", include("kawal.schooling.urls")),
    path("", include("kawal.funding.urls")),
    path("", include("kawal.notify.urls")),
    path("", include("kawal.reminders.urls")),
    path("", include("kawal.figures.urls")),
    path("", include("kawal.publication.urls")),
    path("", include("kawal.exports.urls")),
    path("", include("kawal.simfoni.urls")),
    # Switching language must work on the sign-in page too.
    path("bahasa/", login_not_required(set_language), name="set_language"),
    path("admin/", admin_site.urls),
]

handler400 = "kawal.web.views.bad_request"
handler403 = "kawal.web.views.permission_denied"
handler404 = "kawal.web.views.page_not_found"
handler500 = "kawal.web.views.server_error"
