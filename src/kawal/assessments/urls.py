from django.urls import path

from kawal.assessments import views

app_name = "assessments"

urlpatterns = [
    path("kasus/<uuid:case_uuid>/asesmen/", views.case_assessments, name="case"),
    path("kasus/<uuid:case_uuid>/asesmen/mulai/", views.start, name="start"),
    path(
        "kasus/<uuid:case_uuid>/asesmen/<uuid:assessment_uuid>/",
        views.detail,
        name="detail",
    ),
    path(
        "kasus/<uuid:case_uuid>/asesmen/<uuid:assessment_uuid>/isi/",
        views.fill,
        name="fill",
    ),
    path(
        "kasus/<uuid:case_uuid>/asesmen/<uuid:assessment_uuid>/tanda-tangan/",
        views.sign,
        name="sign",
    ),
    path(
        "kasus/<uuid:case_uuid>/asesmen/<uuid:assessment_uuid>/koreksi/",
        views.correct,
        name="correct",
    ),
    path(
        "kasus/<uuid:case_uuid>/asesmen/<uuid:assessment_uuid>/buang/",
        views.discard,
        name="discard",
    ),
]
