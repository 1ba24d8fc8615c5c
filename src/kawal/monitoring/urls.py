from django.urls import path

from kawal.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("asuhan/anak/", views.children, name="children"),
    path("asuhan/anak/<str:placement_uuid>/", views.child, name="child"),
    path("asuhan/anak/<str:placement_uuid>/kejadian/", views.incident, name="incident"),
    path("asuhan/absensi/", views.roster, name="roster"),
    path("asuhan/absensi/<str:placement_uuid>/<str:day>/", views.mark, name="mark"),
    path("pemantauan/<str:placement_uuid>/absensi/", views.worker_roster, name="worker_roster"),
    path(
        "pemantauan/<str:placement_uuid>/absensi/<str:day>/",
        views.worker_mark,
        name="worker_mark",
    ),
    path("pemantauan/<str:placement_uuid>/tinjauan/", views.review_new, name="review_new"),
    path("pemantauan/tinjauan/<str:record_uuid>/ubah/", views.review_edit, name="review_edit"),
    path("pemantauan/<str:placement_uuid>/kunjungan/", views.visit_new, name="visit_new"),
    path("pemantauan/kunjungan/<str:record_uuid>/ubah/", views.visit_edit, name="visit_edit"),
    path(
        "pemantauan/<str:placement_uuid>/bimbingan-lanjut/",
        views.follow_up_new,
        name="follow_up_new",
    ),
    path(
        "pemantauan/bimbingan-lanjut/<str:record_uuid>/ubah/",
        views.follow_up_edit,
        name="follow_up_edit",
    ),
]
