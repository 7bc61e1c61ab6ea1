"""Every URL pattern, walked as anonymous, an agent, a supervisor and an administrator: who may open what."""

import uuid

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from memberconsole.bulk.models import BulkJob
from memberconsole.core.models import AuditEntry, RevealReason
from memberconsole.registration.models import (
    ExtendedFieldDefinition,
    LoyaltyProgram,
    RegistrationAttempt,
    RegistrationRejection,
    RegistrationSettings,
)
from tests.fixtures.agents import make_user

pytestmark = pytest.mark.django_db

PUBLIC = {"login", "healthz", "admin:login"}
# Console pages and the permission each needs (admin pages follow Django admin's model permissions).
CONSOLE = {
    "home": "customers.view_customers",
    "customers:search": "customers.view_customers",
    "customers:search_result": "customers.view_customers",
    "customers:detail": "customers.view_customers",
    "customers:reveal": "customers.reveal_contact_details",
    "customers:transactions": "customers.view_customers",
    "customers:bill": "customers.view_customers",
    "customers:ledger": "customers.view_customers",
    "customers:expiry": "customers.view_customers",
    "customers:coupons": "customers.view_customers",
    "customers:register": "registration.add_registrationattempt",
    "customers:register_check": "registration.add_registrationattempt",
    "customers:registered": "registration.add_registrationattempt",
    "customers:bulk": "bulk.add_bulkjob",
    "customers:bulk_job": "bulk.add_bulkjob",
    "customers:bulk_job_csv": "bulk.add_bulkjob",
    "logout": None,  # anyone signed in
}
POST_ONLY = {"customers:reveal", "logout", "admin:logout"}
ADMIN_VIEW_PERMISSION = {"changelist": "view", "change": "view", "history": "view", "add": "add", "delete": "delete"}


def patterns(resolvers=None, prefix="", namespace=""):
    """(route, name) of every URL pattern, admin's included."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace]))
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name])) if entry.name else f"{namespace}:<unnamed>"
            yield prefix + str(entry.pattern), name


def sample_objects(owner):
    """One object per model Django admin shows, and the console's own objects for the walker."""
    agent_group = Group.objects.get(name="Member-care agent")
    attempt = RegistrationAttempt.objects.create(
        agent=owner, source="INSTORE", status=RegistrationAttempt.REGISTERED, customer_id=566881933
    )
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_tasks_db.models import DBTaskResult

    return {
        "auth.group": agent_group.pk,
        "auth.user": make_user("walked-agent", "Member-care agent").pk,
        "core.auditentry": AuditEntry.objects.create(action="search", username="x").pk,
        "core.revealreason": RevealReason.objects.first().pk,
        "registration.registrationsettings": RegistrationSettings.load().pk,
        "registration.extendedfielddefinition": ExtendedFieldDefinition.objects.create(name="f", data_type="STRING").pk,
        "registration.loyaltyprogram": LoyaltyProgram.objects.create(program_id=983, name="P").pk,
        "registration.registrationattempt": attempt.pk,
        "registration.registrationrejection": RegistrationRejection.objects.create(attempt=attempt, message="m").pk,
        "axes.accessattempt": AccessAttempt.objects.create(username="x", failures_since_start=1).pk,
        "axes.accesslog": AccessLog.objects.create(username="x").pk,
        "axes.accessfailurelog": AccessFailureLog.objects.create(username="x").pk,
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}}, task_path="memberconsole.bulk.tasks.run_bulk_job"
        ).pk,
        "token": attempt.token,
        "job": BulkJob.objects.create(agent=owner, total=0, status=BulkJob.Status.DONE).pk,
    }


def url_for(route: str, name: str, objects: dict) -> str:
    """A concrete URL for the route, with real objects where it takes an id."""
    url = "/" + route
    model = None
    if name.startswith("admin:") and "/<path:object_id>/" in route:
        app, model_name = route.split("/")[1:3]
        model = f"{app}.{model_name}"
    replacements = {
        "<int:customer_id>": "566881933",
        "<int:transaction_id>": "2151556836",
        "<str:key>": "no-such-search-key",
        "<uuid:token>": str(objects["token"]),
        "<uuid:job_id>": str(objects["job"]),
        "<path:object_id>": str(objects.get(model, 1)),
        "<id>": str(objects["auth.user"]),
        "<path:content_type_id>": "1",
        "^(?P<app_label>auth|axes|core|registration)/$": "registration/",
        "(?P<url>.*)$": "no-such-admin-page/",
    }
    for placeholder, value in replacements.items():
        url = url.replace(placeholder, value)
    return url


def allowed(user, name: str, route: str) -> bool:
    """Whether this user may open the page (the rule the views and Django admin enforce)."""
    if name in CONSOLE:
        permission = CONSOLE[name]
        return permission is None or user.has_perm(permission)
    if not user.is_staff:
        return False
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        for view, action in ADMIN_VIEW_PERMISSION.items():
            if name == f"admin:{opts.app_label}_{opts.model_name}_{view}":
                request = type("R", (), {"user": user})()
                if action == "view":
                    return model_admin.has_view_or_change_permission(request)
                return getattr(model_admin, f"has_{action}_permission")(request)
    if name == "admin:auth_user_password_change":
        return user.has_perm("auth.change_user")
    # Autocomplete is walked without its query parameters, which Django admin refuses for everyone; the rest (index,
    # app list, password change, jsi18n, view on site, catch-all) is for any staff account.
    return name != "admin:autocomplete"


def walk(client, objects, user=None):
    """(name, url, response) for every pattern; signed in as user before each (sign-out pages end the session)."""
    for route, name in patterns():
        if route.startswith("static/"):
            continue
        if user is not None:
            client.force_login(user)
        url = url_for(route, name, objects)
        response = client.post(url) if name in POST_ONLY else client.get(url)
        yield name, url, response


def test_every_pattern_is_walked():
    names = {name for _, name in patterns()}
    assert set(CONSOLE) | PUBLIC <= names
    assert len(list(patterns())) > 90


def test_anonymous_is_sent_to_sign_in_everywhere_but_the_login_pages_and_healthz(client, agent):
    objects = sample_objects(agent)
    for name, url, response in walk(client, objects):
        if name in PUBLIC:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(("/accounts/login/?next=", "/admin/login/?next=")), url
            assert "?" not in response["Location"].split("next=", 1)[1], url  # the query never travels in next


@pytest.mark.parametrize("role", ["agent", "supervisor", "administrator"])
def test_each_role_opens_what_it_may_and_gets_the_consoles_403_elsewhere(client, capillary, role, request):
    user = request.getfixturevalue(role)
    objects = sample_objects(user)
    refused, opened = 0, 0
    for name, url, response in walk(client, objects, user):
        if name in PUBLIC and name != "admin:login":
            continue
        expect = allowed(user, name, url)
        if name == "admin:login":
            expect = user.is_staff
        if expect:
            opened += 1
            assert response.status_code < 500, url
            assert response.status_code != 403, url
        else:
            refused += 1
            assert response.status_code == 403, (url, response.status_code)
            assert "You cannot open this page" in response.content.decode(), url
    # The walk is not vacuous: every role has pages on both sides.
    assert opened > 5
    assert refused > 5 if role != "administrator" else refused > 0


def test_a_forbidden_page_is_recorded_in_the_audit_trail(agent_client):
    agent_client.get("/admin/core/auditentry/")
    entry = AuditEntry.objects.get(action="denied")
    assert entry.details == {"path": "/admin/core/auditentry/"}
    assert entry.username == "agent"


def test_an_unknown_job_or_token_is_a_404_not_a_403(agent_client):
    assert agent_client.get(f"/customers/bulk/{uuid.uuid4()}/").status_code == 404
    assert agent_client.get(f"/customers/register/{uuid.uuid4()}/").status_code == 404
