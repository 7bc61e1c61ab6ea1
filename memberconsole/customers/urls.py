"""The customer pages' routes, composed under /customers/ (namespace "customers") in memberconsole/urls.py."""

from django.urls import path

from memberconsole.customers import views

# The start page, at the site root (no namespace: "home").
root_urlpatterns = [path("", views.home, name="home")]

urlpatterns = [
    path("search/", views.customer_search, name="search"),
    path("search/<str:key>/", views.search_result, name="search_result"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/reveal/", views.customer_reveal, name="reveal"),
]
