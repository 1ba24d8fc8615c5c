from django.urls import path

from kawal.funding import views

app_name = "funding"

C = "dana/siklus/<str:cycle_uuid>/"

urlpatterns = [
    path("dana/anggaran/", views.budgets, name="budgets"),
    path("kasus/<uuid:case_uuid>/dana/komitmen/", views.commit, name="commit"),
    path(
        "dana/komitmen/<str:commitment_uuid>/batal/",
        views.commitment_cancel,
        name="commitment_cancel",
    ),
    path("dana/siklus/", views.cycles, name="cycles"),
    path(C, views.cycle_detail, name="cycle"),
    path(C + "daftar-bayar.csv", views.payment_csv, name="payment_csv"),
    path(C + "daftar-bayar.xlsx", views.payment_xlsx, name="payment_xlsx"),
    path(
        C + "<str:action>/",
        views.cycle_action,
        name="cycle_action",
    ),
    path("dana/klaim/", views.claim, name="claim"),
]
