from django.urls import path

from kawal.exports import views

app_name = "exports"

urlpatterns = [
    path("ekspor/saya/", views.my_exports, name="mine"),
    path("ekspor/persetujuan/", views.waiting, name="waiting"),
    path("ekspor/berkas/<str:export_uuid>/keputusan/", views.decide, name="decide"),
    path("ekspor/berkas/<str:export_uuid>/unduh/", views.download, name="download"),
    path("kasus/<uuid:case_uuid>/ringkasan.pdf", views.case_summary, name="case_summary"),
    # Last: a kind's key is a slug, never one of the words above.
    path("ekspor/<slug:kind>/", views.request_export, name="request"),
]
