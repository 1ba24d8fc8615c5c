from django.urls import path

from kawal.hotspots import views

app_name = "hotspots"

urlpatterns = [
    path("peta/", views.hotspot_map, name="map"),
    path("peta/data.json", views.hotspot_data, name="data"),
    path("peta/batas.json", views.hotspot_boundaries, name="boundaries"),
    path("peta/lapisan.json", views.hotspot_layers, name="layers"),
]
