from django.urls import path

from kawal.care import views

app_name = "care"

urlpatterns = [
    path("observasi/", views.today, name="today"),
    path("kasus/<uuid:case_uuid>/observasi/", views.case_page, name="case"),
    path("kasus/<uuid:case_uuid>/observasi/baru/", views.record, name="record"),
    path(
        "kasus/<uuid:case_uuid>/observasi/<uuid:observation_uuid>/ubah/",
        views.edit,
        name="edit",
    ),
    path("kasus/<uuid:case_uuid>/siap-sekolah/", views.readiness, name="readiness"),
    path(
        "kasus/<uuid:case_uuid>/siap-sekolah/<uuid:decision_uuid>/konfirmasi/",
        views.readiness_confirm,
        name="readiness_confirm",
    ),
    path(
        "kasus/<uuid:case_uuid>/siap-sekolah/<uuid:decision_uuid>/cabut/",
        views.readiness_revoke,
        name="readiness_revoke",
    ),
]
