"""The POST /v2/customers body for a registration under the org's registration configuration."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from memberconsole.capillary.schemas import (
    CommChannelInput,
    CustomerCreateRequest,
    IdentifierInput,
    LoyaltyInfoInput,
    LoyaltyProgramEnrollmentInput,
    ProfileInput,
)
from memberconsole.registration.domain import RegistrationData
from memberconsole.registration.models import RegistrationSettings


def _wire_value(value: object) -> object:
    """Field values as the API wants them: dates in the full datetime format (get-customer-by-id.txt,
    docs.capillarytech.com/reference/get-customer-details-v2)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    if isinstance(value, Decimal):
        return float(value)
    return value


def _number(value: Decimal | None) -> int | float | None:
    # The API takes loyaltyPoints as a JSON number; a Decimal would be serialised as a string.
    if value is None:
        return None
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _full_datetime(value: datetime | None) -> str | None:
    # register-customer.txt (docs.capillarytech.com/reference/v2-add-customer): expiry dates as
    # YYYY-MM-DDTHH:MM:SS+/-(time-zone).
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def build_request(data: RegistrationData, config: RegistrationSettings) -> CustomerCreateRequest:
    """The POST /v2/customers body for this registration under this configuration."""
    identifiers = [IdentifierInput(type=name, value=value) for name, value in data.identifiers().items()]
    if config.issue_card and data.card_number:
        identifiers.append(
            IdentifierInput(
                type="cardnumber",
                value=data.card_number,
                series_id=config.card_series_id,
                status_label=config.card_status_label or "ACTIVE",
            )
        )
    channels = []
    if data.mobile:
        channels.append(CommChannelInput(type="mobile", value=data.mobile, primary=True, verified=False))
    if data.email:
        channels.append(CommChannelInput(type="email", value=data.email, primary=True, verified=False))
    profile = ProfileInput(
        first_name=data.first_name or None,
        last_name=data.last_name or None,
        identifiers=identifiers,
        comm_channels=channels,
        fields={key: _wire_value(value) for key, value in data.custom_fields.items() if value not in (None, "")},
        source=data.source,
        account_id=data.account_id or None,
    )
    enrollments = None
    if config.enroll_program_id:
        enrollments = [
            LoyaltyProgramEnrollmentInput(
                program_id=config.enroll_program.program_id,
                tier_number=config.enroll_tier_number,
                loyalty_points=_number(config.enroll_points),
                tier_expiry_date=_full_datetime(config.enroll_tier_expiry),
                points_expiry_date=_full_datetime(config.enroll_points_expiry),
            )
        ]
    return CustomerCreateRequest(
        profiles=[profile],
        extended_fields={k: _wire_value(v) for k, v in data.extended_fields.items() if v not in (None, "")},
        loyalty_info=LoyaltyInfoInput(loyalty_type=config.loyalty_type),
        associated_with=config.till_code or None,
        loyalty_program_enrollments=enrollments,
        status_label=config.status_label or None,
    )
