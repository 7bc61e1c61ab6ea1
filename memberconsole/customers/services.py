"""Writes about customers that stay inside the console."""

from django.utils import timezone

from memberconsole.customers import domain
from memberconsole.customers.models import RECENT_LIMIT, RecentCustomer


def recent_customer_record(*, agent, customer: domain.Customer) -> None:
    """Remember that the agent opened this customer; keep only the newest few."""
    # One upsert on the customer page's hot path; the home page trims the list (recent_customers_trim).
    RecentCustomer.objects.bulk_create(
        [RecentCustomer(agent=agent, customer_id=customer.id, name=customer.name[:201], viewed_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["agent", "customer_id"],
        update_fields=["name", "viewed_at"],
    )


def recent_customers_trim(*, agent) -> None:
    """Forget all but the agent's newest few viewed customers."""
    keep = RecentCustomer.objects.filter(agent=agent).order_by("-viewed_at").values_list("pk", flat=True)
    RecentCustomer.objects.filter(agent=agent).exclude(pk__in=list(keep[:RECENT_LIMIT])).delete()
