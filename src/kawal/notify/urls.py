from django.urls import path

from kawal.notify import views

app_name = "notify"

urlpatterns = [
    path("notifikasi/", views.inbox, name="inbox"),
    path("notifikasi/dibaca-semua/", views.read_all, name="read_all"),
    path("notifikasi/pengaturan/", views.preferences, name="preferences"),
    path("notifikasi/<uuid:notification_uuid>/", views.open_notification, name="open"),
    path("notifikasi/<uuid:notification_uuid>/dibaca/", views.read_one, name="read"),
]
