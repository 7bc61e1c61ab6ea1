from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "memberconsole.registration"
    label = "registration"
    verbose_name = "Registration"
