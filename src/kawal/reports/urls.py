from django.urls import path

from kawal.reports import views

app_name = "reports"

urlpatterns = [
    path("lapor/", views.report_new, name="new"),
    path("lapor/terima-kasih/", views.report_thanks, name="thanks"),
    path("lapor/cek/", views.report_track, name="track"),
    path("laporan/", views.triage, name="triage"),
    path("laporan/baru/", views.report_take_in, name="take_in"),
    path("laporan/<str:report_uuid>/", views.report_detail, name="detail"),
    path("laporan/<str:report_uuid>/foto/", views.report_photo, name="photo"),
    path("laporan/<str:report_uuid>/ubah/", views.report_correct, name="correct"),
]
