from django.urls import path

from kawal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("masuk/verifikasi/", views.verify_view, name="verify"),
    path("masuk/faktor-kedua/", views.setup_view, name="setup"),
    path("keluar/", views.logout_view, name="logout"),
    path("akun/keamanan/", views.security_view, name="security"),
    path("akun/kata-sandi/", views.password_change_view, name="password_change"),
    path(
        "akun/atur-sandi/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set_password",
    ),
]
