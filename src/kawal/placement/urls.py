from django.urls import path

from kawal.placement import views

app_name = "placement"

urlpatterns = [
    path("penempatan/kasus/<str:case_uuid>/baru/", views.decide, name="decide"),
    path("penempatan/keputusan/<str:decision_uuid>/", views.decision_detail, name="decision"),
    path(
        "penempatan/keputusan/<str:decision_uuid>/setujui/",
        views.decision_override,
        name="override",
    ),
    path(
        "penempatan/keputusan/<str:decision_uuid>/tolak/",
        views.decision_decline,
        name="decline",
    ),
    path(
        "penempatan/keputusan/<str:decision_uuid>/kesepakatan/",
        views.agreement_download,
        name="agreement",
    ),
    path("penempatan/<str:placement_uuid>/selesai/", views.placement_exit, name="exit"),
]
