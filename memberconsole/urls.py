"""The console's URLs: each app owns its routes (its urls.py); this module composes them.

Customers, registration and bulk lookup share the /customers/ prefix and the "customers" namespace, so every URL and
URL name (customers:search, customers:register, customers:bulk, ...) reads as one part of the console.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from memberconsole.bulk import urls as bulk_urls
from memberconsole.core import views as core_views
from memberconsole.customers import urls as customer_urls
from memberconsole.registration import urls as registration_urls

handler403 = "memberconsole.core.views.permission_denied"

customer_pages = [*customer_urls.urlpatterns, *registration_urls.urlpatterns, *bulk_urls.urlpatterns]

urlpatterns = [
    *customer_urls.root_urlpatterns,
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customers/", include((customer_pages, "customers"))),
    path("admin/", admin.site.urls),
]
