from django.urls import path

from memberconsole.bulk import views as bulk_views
from memberconsole.customers import views
from memberconsole.registration import views as registration_views

app_name = "customers"

urlpatterns = [
    path("search/", views.customer_search, name="search"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("register/", registration_views.customer_register, name="register"),
    path("register/check/", registration_views.identifier_check, name="register_check"),
    path("register/<uuid:token>/", registration_views.registration_result, name="registered"),
    path("bulk/", bulk_views.bulk_lookup, name="bulk"),
    path("bulk/<uuid:job_id>/", bulk_views.bulk_job, name="bulk_job"),
    path("bulk/<uuid:job_id>/result.csv", bulk_views.bulk_job_csv, name="bulk_job_csv"),
]
