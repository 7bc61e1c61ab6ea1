"""Registration's routes, composed under /customers/ (namespace "customers") in memberconsole/urls.py."""

from django.urls import path

from memberconsole.registration import views

urlpatterns = [
    path("register/", views.customer_register, name="register"),
    path("register/check/", views.identifier_check, name="register_check"),
    path("register/<uuid:token>/", views.registration_result, name="registered"),
]
