from django.urls import URLPattern, URLResolver, path

from kawal.publication import views

app_name = "publication"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public, no account (docs/publication.md).
    path("statistik/", views.public_latest, name="public"),
    path("statistik/arsip/", views.public_archive, name="archive"),
    path("statistik/<str:slug>/v<int:number>/", views.public_release, name="public_release"),
    path("statistik/<str:slug>/v<int:number>/lembar.pdf", views.public_sheet, name="sheet"),
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
