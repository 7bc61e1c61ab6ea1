"""Bulk lookup's routes, composed under /customers/ (namespace "customers") in memberconsole/urls.py."""

from django.urls import path

from memberconsole.bulk import views

urlpatterns = [
    path("bulk/", views.bulk_lookup, name="bulk"),
    path("bulk/<uuid:job_id>/", views.bulk_job, name="bulk_job"),
    path("bulk/<uuid:job_id>/result.csv", views.bulk_job_csv, name="bulk_job_csv"),
]
