"""What the console keeps about customers: only the agent's recently viewed list (Capillary holds the customer)."""

from django.conf import settings
from django.db import models

RECENT_LIMIT = 10


class RecentCustomer(models.Model):
    """A customer an agent opened, for the home page's 'recently viewed' list (kept server-side per agent)."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_customers")
    customer_id = models.BigIntegerField()
    name = models.CharField(max_length=201, blank=True)
    viewed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "customer_id"], name="recent_customer_once_per_agent")]
        indexes = [models.Index(fields=["agent", "-viewed_at"])]
        ordering = ["-viewed_at"]
        verbose_name = "recently viewed customer"

    def __str__(self) -> str:
        return f"{self.customer_id} viewed by {self.agent_id}"


class CustomerAccess(models.Model):
    """Holds the console's customer-data permissions (no table): grant them to agents or groups in Django admin."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_customers", "Can search for customers and open their pages"),
            ("view_contact_details", "Can see customers' mobile numbers and email addresses in full everywhere"),
            ("reveal_contact_details", "Can reveal one customer's contact details for a few minutes, giving a reason"),
        ]
        verbose_name = "customer data access"

    def __str__(self) -> str:
        return "customer data access"
