from django.urls import URLPattern, URLResolver, path, register_converter

from kawal.publication import views


class VersionConverter:
    """A release's version number: a few digits, so that no address can carry an integer too
    large for the database (``<int:...>`` would take any run of digits: a 500, not a 404)."""

    regex = "[0-9]{1,4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(VersionConverter, "release_version")

app_name = "publication"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public, no account (docs/publication.md).
    path("statistik/", views.public_latest, name="public"),
    path("statistik/arsip/", views.public_archive, name="archive"),
    path(
        "statistik/<str:slug>/v<release_version:number>/",
        views.public_release,
        name="public_release",
    ),
    path(
        "statistik/<str:slug>/v<release_version:number>/lembar.pdf",
        views.public_sheet,
        name="sheet",
    ),
    # Supervisors (PUBLISH_FIGURES).
    path("rilis-statistik/", views.releases, name="releases"),
    path("rilis-statistik/siapkan/", views.prepare, name="prepare"),
    path("rilis-statistik/<uuid:release_uuid>/", views.release_detail, name="release"),
    path(
        "rilis-statistik/<uuid:release_uuid>/<str:action>/",
        views.release_action,
        name="release_action",
    ),
]
