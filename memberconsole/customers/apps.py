from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "memberconsole.customers"
    label = "customers"
    verbose_name = "Customers"
