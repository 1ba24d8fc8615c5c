"""The project's URLs with the notification pages, until ``kawal.urls`` includes them.

``src/kawal/urls.py`` is a shared file; the request to include
``kawal.notify.urls`` there is in the integrator's queue. Once it is in, this
module adds nothing.
"""

from django.urls import include, path

from kawal.urls import handler400, handler403, handler404, handler500
from kawal.urls import urlpatterns as project

_included = any(getattr(entry, "namespace", None) == "notify" for entry in project)
urlpatterns = project if _included else [*project, path("", include("kawal.notify.urls"))]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
