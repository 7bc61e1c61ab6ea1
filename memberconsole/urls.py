from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from memberconsole.core import views as core_views

admin.site.site_header = "Member Console administration"
admin.site.site_title = "Member Console admin"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customers/", include("memberconsole.customers.urls")),
    path("admin/", admin.site.urls),
]
