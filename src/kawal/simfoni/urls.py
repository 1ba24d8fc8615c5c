from django.urls import URLPattern, URLResolver

app_name = "simfoni"

urlpatterns: list[URLPattern | URLResolver] = []
