from django.urls import path

from kawal.outreach import views

app_name = "outreach"

urlpatterns = [
    path("penjangkauan/", views.operation_list, name="list"),
    path("penjangkauan/baru/", views.operation_new, name="new"),
    path("penjangkauan/<str:operation_uuid>/", views.operation_detail, name="detail"),
    path("penjangkauan/<str:operation_uuid>/ubah/", views.operation_edit, name="edit"),
    path("penjangkauan/<str:operation_uuid>/temuan/", views.capture_new, name="capture"),
    path(
        "penjangkauan/<str:operation_uuid>/temuan/<str:capture_uuid>/pernyataan/",
        views.undertaking_attach,
        name="undertaking_attach",
    ),
    path(
        "penjangkauan/pernyataan/<str:capture_uuid>/",
        views.undertaking_download,
        name="undertaking",
    ),
]
