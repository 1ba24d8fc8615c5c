from django.urls import URLPattern, URLResolver, path

from kawal.figures import views

app_name = "figures"

urlpatterns: list[URLPattern | URLResolver] = [
    path("angka/", views.dashboard, name="dashboard"),
]
