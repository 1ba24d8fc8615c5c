from django.urls import path

from kawal.identity import views

app_name = "identity"

urlpatterns = [
    path("identitas/duplikat/", views.queue, name="queue"),
    path("identitas/duplikat/<str:pair_uuid>/", views.pair_detail, name="pair"),
    path("identitas/gabung/<str:merge_uuid>/batal/", views.merge_undo, name="undo"),
]
