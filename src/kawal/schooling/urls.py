from django.urls import path

from kawal.schooling import views

app_name = "schooling"

urlpatterns = [
    path("sekolah/", views.children, name="children"),
    path("kasus/<uuid:case_uuid>/sekolah/", views.case_page, name="case"),
    path("kasus/<uuid:case_uuid>/sekolah/daftar/", views.enrol, name="enrol"),
    path("kasus/<uuid:case_uuid>/sekolah/kehadiran/", views.follow_up, name="follow_up"),
    path(
        "kasus/<uuid:case_uuid>/sekolah/kehadiran/<uuid:follow_up_uuid>/ubah/",
        views.follow_up_edit,
        name="follow_up_edit",
    ),
]
