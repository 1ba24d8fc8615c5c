"""The site's URLs plus the notification inbox, until the site includes it (see conftest)."""

from django.urls import include, path

from kawal.urls import urlpatterns as site

urlpatterns = [*site, path("", include("kawal.notify.urls"))]
