"""Mirror the org's extended fields and loyalty programs from Capillary into the registration configuration."""

from django.utils import timezone

from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.registration.models import ExtendedFieldDefinition, LoyaltyProgram, RegistrationSettings


def _client(client: CapillaryClient | None) -> CapillaryClient:
    return client or get_capillary_client()


def extended_fields_sync(*, client: CapillaryClient | None = None) -> list[str]:
    """Mirror the org's customer extended fields; returns what changed, in words. Never deletes a field in use."""
    definitions = [d for d in _client(client).extended_fields_list() if (d.entity_type or "").upper() == "CUSTOMER"]
    now = timezone.now()
    report, seen = [], set()
    for d in definitions:
        if not d.name:
            continue
        seen.add(d.name)
        _, created = ExtendedFieldDefinition.objects.update_or_create(
            name=d.name,
            defaults={
                "label": d.label or "",
                "data_type": (d.data_type or "STRING").upper(),
                "possible_values": list(d.possible_values),
                "synced_at": now,
                "present_upstream": True,
            },
        )
        if created:
            report.append(f"Added extended field {d.name}.")
    for gone in ExtendedFieldDefinition.objects.exclude(name__in=seen).filter(present_upstream=True):
        gone.present_upstream = False
        gone.save(update_fields=["present_upstream"])
        if gone.formfield_set.exists():
            report.append(
                f"Extended field {gone.name} is no longer in Capillary but the registration form still uses it: "
                "kept; remove it from the form."
            )
        else:
            report.append(f"Extended field {gone.name} is no longer in Capillary: marked as gone.")
    report.append(f"{len(seen)} customer extended fields in Capillary.")
    return report


def programs_sync(*, client: CapillaryClient | None = None) -> list[str]:
    """Mirror the org's loyalty programs; returns what changed, in words."""
    programs = _client(client).programs_list()
    now = timezone.now()
    report, seen = [], set()
    for p in programs:
        if p.program_id is None:
            continue
        seen.add(p.program_id)
        _, created = LoyaltyProgram.objects.update_or_create(
            program_id=p.program_id,
            defaults={
                "name": p.program_name or f"Program {p.program_id}",
                "description": p.program_description or "",
                "is_default": bool(p.is_default),
                "synced_at": now,
                "present_upstream": True,
            },
        )
        if created:
            report.append(f"Added program {p.program_name} ({p.program_id}).")
    for gone in LoyaltyProgram.objects.exclude(program_id__in=seen).filter(present_upstream=True):
        gone.present_upstream = False
        gone.save(update_fields=["present_upstream"])
        in_use = RegistrationSettings.objects.filter(enroll_program=gone).exists()
        report.append(
            f"Program {gone.name} is no longer in Capillary"
            + (" but new customers are still enrolled in it: change the configuration." if in_use else ".")
        )
    report.append(f"{len(seen)} loyalty programs in Capillary.")
    return report
