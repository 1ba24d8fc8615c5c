from django.urls import path

from kawal.families import views

app_name = "families"

P = "pola-asuh/<str:programme_uuid>/"

urlpatterns = [
    path("pola-asuh/", views.programme_list, name="programmes"),
    path("kasus/<uuid:case_uuid>/pola-asuh/baru/", views.programme_start, name="programme_start"),
    path(P, views.programme_detail, name="programme"),
    path(P + "ubah/", views.programme_edit, name="programme_edit"),
    path(P + "tutup/", views.programme_close, name="programme_close"),
    path(P + "orang-tua/", views.parent_add, name="parent_add"),
    path(P + "sesi/baru/", views.session_new, name="session_new"),
    path(P + "sesi/<str:session_uuid>/", views.session_edit, name="session_edit"),
    path(P + "kunjungan/baru/", views.visit_new, name="visit_new"),
    path(P + "pernyataan/baru/", views.undertaking_new, name="undertaking_new"),
    path(
        P + "pernyataan/<str:undertaking_uuid>/status/",
        views.undertaking_state,
        name="undertaking_state",
    ),
    path(
        "pola-asuh/pernyataan/<str:undertaking_uuid>/unduh/",
        views.undertaking_download,
        name="undertaking_download",
    ),
    path(P + "rujukan/baru/", views.support_new, name="support_new"),
    path(P + "rujukan/<str:referral_uuid>/hasil/", views.support_outcome, name="support_outcome"),
    path("rt/kunjungan/", views.rt_list, name="rt_visits"),
    path("rt/kunjungan/<str:visit_uuid>/", views.rt_confirm, name="rt_confirm"),
    path("sosialisasi/", views.community_list, name="community"),
    path("sosialisasi/baru/", views.community_new, name="community_new"),
    path(
        "sosialisasi/materi/<str:material_uuid>/",
        views.material_download,
        name="material_download",
    ),
    path("sosialisasi/<str:session_uuid>/", views.community_detail, name="community_detail"),
    path("sosialisasi/<str:session_uuid>/ubah/", views.community_edit, name="community_edit"),
    path("sosialisasi/<str:session_uuid>/materi/", views.material_add, name="material_add"),
    path("sosialisasi/<str:session_uuid>/keluarga/", views.family_add, name="family_add"),
]
