from django.urls import path

from kawal.cases import views

app_name = "cases"

urlpatterns = [
    path("kasus/", views.case_list, name="list"),
    path("kasus/cari/", views.case_search, name="search"),
    path("kasus/baru/", views.case_open, name="open"),
    path("kasus/darurat/", views.break_glass, name="break_glass"),
    path("kasus/darurat/tinjau/", views.break_glass_queue, name="break_glass_queue"),
    path("kasus/rujukan/", views.referral_inbox, name="referral_inbox"),
    path("tugas/", views.my_tasks, name="my_tasks"),
    path("kasus/<uuid:case_uuid>/", views.case_detail, name="detail"),
    path("kasus/<uuid:case_uuid>/ubah/", views.case_edit, name="edit"),
    path("kasus/<uuid:case_uuid>/anak/", views.child_edit, name="child_edit"),
    path("kasus/<uuid:case_uuid>/polisi/", views.police_edit, name="police_edit"),
    path("kasus/<uuid:case_uuid>/kerabat/", views.relative_add, name="relative_add"),
    path(
        "kasus/<uuid:case_uuid>/kerabat/<uuid:relation_uuid>/",
        views.relative_edit,
        name="relative_edit",
    ),
    path("kasus/<uuid:case_uuid>/terduga-pelaku/", views.perpetrator_add, name="perpetrator_add"),
    path("kasus/<uuid:case_uuid>/catatan/", views.note_add, name="note_add"),
    path("kasus/<uuid:case_uuid>/lampiran/", views.attachment_add, name="attachment_add"),
    path(
        "kasus/<uuid:case_uuid>/lampiran/<uuid:attachment_uuid>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "kasus/<uuid:case_uuid>/lampiran/<uuid:attachment_uuid>/hapus/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("kasus/<uuid:case_uuid>/tim/", views.member_add, name="member_add"),
    path(
        "kasus/<uuid:case_uuid>/tim/<uuid:member_uuid>/keluarkan/",
        views.member_remove,
        name="member_remove",
    ),
    path("kasus/<uuid:case_uuid>/rujuk/", views.referral_add, name="referral_add"),
    path("kasus/<uuid:case_uuid>/status/", views.transition, name="transition"),
    path("kasus/<uuid:case_uuid>/persetujuan/", views.approval_request, name="approval_request"),
    path(
        "kasus/<uuid:case_uuid>/persetujuan/<uuid:approval_uuid>/",
        views.approval_decide,
        name="approval_decide",
    ),
    path("kasus/<uuid:case_uuid>/tugas/", views.task_add, name="task_add"),
    path(
        "kasus/<uuid:case_uuid>/tugas/<uuid:task_uuid>/",
        views.task_status,
        name="task_status",
    ),
    path("kasus/<uuid:case_uuid>/pindah/", views.transfer, name="transfer"),
    path("kasus/<uuid:case_uuid>/akses/", views.access_log, name="access_log"),
]
