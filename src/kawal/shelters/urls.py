from django.urls import path

from kawal.shelters import views

app_name = "shelters"

urlpatterns = [
    path("rumah-aman/", views.board, name="board"),
    path("rumah-aman/terima/", views.admit, name="admit"),
    path("rumah-aman/tinggal/<str:stay_uuid>/", views.stay_detail, name="stay"),
    path("rumah-aman/tinggal/<str:stay_uuid>/ubah/", views.stay_edit, name="edit"),
    path("rumah-aman/tinggal/<str:stay_uuid>/keluar/", views.stay_discharge, name="discharge"),
    path("rumah-aman/tinggal/<str:stay_uuid>/pindah/", views.stay_transfer, name="transfer"),
]
