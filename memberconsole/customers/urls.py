"""The customer pages' routes, composed under /customers/ (namespace "customers") in memberconsole/urls.py."""

from django.urls import path

from memberconsole.customers import activity_views, views

# The start page, at the site root (no namespace: "home").
root_urlpatterns = [path("", views.home, name="home")]

urlpatterns = [
    path("search/", views.customer_search, name="search"),
    path("search/<str:key>/", views.search_result, name="search_result"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/reveal/", views.customer_reveal, name="reveal"),
    path("<int:customer_id>/activity/transactions/", activity_views.transactions, name="transactions"),
    path("<int:customer_id>/activity/transactions/<int:transaction_id>/", activity_views.bill, name="bill"),
    path("<int:customer_id>/activity/ledger/", activity_views.ledger, name="ledger"),
    path("<int:customer_id>/activity/expiry/", activity_views.expiry, name="expiry"),
    path("<int:customer_id>/activity/coupons/", activity_views.coupons, name="coupons"),
]
