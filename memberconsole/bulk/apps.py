from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "memberconsole.bulk"
    label = "bulk"
    verbose_name = "Bulk lookup"
