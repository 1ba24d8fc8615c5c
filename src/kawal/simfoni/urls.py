from django.urls import path

from kawal.simfoni import views

app_name = "simfoni"

urlpatterns = [
    path("simfoni/", views.simfoni_page, name="page"),
]
