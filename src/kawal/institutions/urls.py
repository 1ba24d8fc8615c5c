from django.urls import path

from kawal.institutions import views

app_name = "institutions"

urlpatterns = [
    path("lembaga/", views.registry, name="list"),
    path("lembaga/baru/", views.create, name="create"),
    path("lembaga/milik-kami/", views.mine, name="mine"),
    path("lembaga/peringatan/", views.alerts, name="alerts"),
    path("lembaga/peringatan/<str:alert_uuid>/selesai/", views.alert_done, name="alert_done"),
    path("lembaga/<str:institution_uuid>/", views.detail, name="detail"),
    path("lembaga/<str:institution_uuid>/ubah/", views.edit, name="edit"),
    path("lembaga/<str:institution_uuid>/tangguhkan/", views.suspend, name="suspend"),
    path("lembaga/<str:institution_uuid>/aktifkan/", views.reactivate, name="reactivate"),
    path("lembaga/<str:institution_uuid>/pemeriksaan/", views.inspection_add, name="inspection"),
]
