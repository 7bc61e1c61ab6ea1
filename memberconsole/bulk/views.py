"""Bulk lookup pages: submit a list, watch it run, read the table, take it away as CSV."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from memberconsole.bulk import selectors, services
from memberconsole.bulk.forms import BulkLookupForm
from memberconsole.bulk.models import BulkJob
from memberconsole.core.audit import Action, audit_record
from memberconsole.core.masking import can_see_contact

RUN_PERMISSION = "bulk.add_bulkjob"

PROGRESS_PARTIAL = "bulk-progress"
PLAN_PARTIAL = "bulk-plan"


def _job_or_404(request: HttpRequest, job_id) -> BulkJob:
    job = selectors.bulk_job_get(agent=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such bulk lookup")
    return job


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(RUN_PERMISSION, raise_exception=True)
def bulk_lookup(request: HttpRequest) -> HttpResponse:
    """The list form and the agent's lists of the last 24 hours; POST stores the list and starts it, or (action
    "estimate", sent by htmx as the agent types) says what the list will cost before it is started."""
    max_entries = services.bulk_max_entries(agent=request.user)
    form = BulkLookupForm(max_entries=max_entries)
    status = 200
    if request.method == "POST":
        estimating = request.POST.get("action") == "estimate"
        try:
            form = BulkLookupForm(request.POST, request.FILES, max_entries=max_entries)
            valid = form.is_valid()
        except RequestDataTooBig:
            form = BulkLookupForm(max_entries=max_entries)
            form.add_error(None, "That list is too large to send. Upload it as a CSV file instead (at most 2 MB).")
            valid = False
        if estimating:
            return _estimate(request, form, max_entries, valid=valid)
        if valid:
            entries = form.cleaned_data["entry_list"]
            try:
                services.bulk_limits_check(agent=request.user, entries=len(entries))
            except services.BulkLimitError as exc:
                form.add_error(None, str(exc))
                audit_record(
                    action=Action.BULK_RUN, request=request, outcome="refused", details={"entries": len(entries)}
                )
                return _lookup_page(request, form, max_entries, status=429)
            job = services.bulk_job_submit(
                agent=request.user,
                entries=entries,
                source=form.cleaned_data["source"],
                kind=form.cleaned_data.get("kind") or "",
            )
            audit_record(
                action=Action.BULK_RUN,
                request=request,
                outcome="started",
                details={"entries": len(entries), "job": str(job.pk), "kind": job.kind or "auto"},
            )
            return redirect("customers:bulk_job", job_id=job.pk)
        status = 400
    return _lookup_page(request, form, max_entries, status=status)


def _estimate(request: HttpRequest, form: BulkLookupForm, max_entries: int, *, valid: bool) -> HttpResponse:
    """What the list in the form will cost: the plan partial for htmx, else the form again with it (nothing lost)."""
    plan = None
    if valid:
        plan = selectors.bulk_plan(entries=form.cleaned_data["entry_list"], kind=form.cleaned_data.get("kind") or "")
    if request.htmx and request.htmx.target == PLAN_PARTIAL:
        return TemplateResponse(request, f"bulk/lookup.html#{PLAN_PARTIAL}", {"plan": plan, "form": form})
    return _lookup_page(request, form, max_entries, status=200 if valid else 400, plan=plan)


def _lookup_page(
    request: HttpRequest, form: BulkLookupForm, max_entries: int, *, status: int, plan=None
) -> HttpResponse:
    context = {
        "form": form,
        "jobs": selectors.bulk_jobs_recent(agent=request.user),
        "max_entries": max_entries,
        "pace": selectors.bulk_pace(max_entries=max_entries),
        "plan": plan,
    }
    return TemplateResponse(request, "bulk/lookup.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(RUN_PERMISSION, raise_exception=True)
def bulk_job(request: HttpRequest, job_id) -> HttpResponse:
    """One list: progress while it runs (polled by htmx, or refreshed), the result table when done."""
    job = _job_or_404(request, job_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "resume" and job.can_resume:
            services.bulk_job_resume(job=job)
        elif action == "stop" and job.is_active and services.bulk_job_stop(job=job):
            audit_record(action=Action.BULK_RUN, request=request, outcome="stopped", details={"job": str(job.pk)})
            messages.info(
                request, "Lookup stopped. The rows already looked up are kept; the rest can be looked up later."
            )
        elif action == "retry_errors" and job.status == BulkJob.Status.DONE:
            services.bulk_job_retry_errors(job=job)
        return redirect("customers:bulk_job", job_id=job.pk)
    polling = request.htmx and request.htmx.target == PROGRESS_PARTIAL
    if job.is_active:
        template = f"bulk/job.html#{PROGRESS_PARTIAL}" if polling else "bulk/job.html"
        return TemplateResponse(request, template, {"job": job, "estimate": selectors.bulk_job_estimate(job=job)})
    if polling:
        return HttpResponseClientRefresh()  # finished (or stopped): reload into the table
    reveal = can_see_contact(request.user)
    context = {
        "job": job,
        "counts": selectors.bulk_job_counts(job=job),
        "result": selectors.bulk_job_rows(
            job=job, reveal_contact=reveal, status=request.GET.get("status", ""), page=request.GET.get("page", 1)
        ),
        "reveal_contact": reveal,
    }
    return TemplateResponse(request, "bulk/job.html", context)


@require_GET
@permission_required(RUN_PERMISSION, raise_exception=True)
def bulk_job_csv(request: HttpRequest, job_id) -> HttpResponse:
    """The result table as CSV (UTF-8 with BOM for Excel): contact details in full only with the export right."""
    job = _job_or_404(request, job_id)
    if job.is_active:
        messages.info(request, "The list is still being looked up: download it when it is done.")
        return redirect("customers:bulk_job", job_id=job.pk)
    day = timezone.localtime(job.created_at).date().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bulk-lookup-{day}.csv"'
    response["Cache-Control"] = "no-store"  # may hold mobiles and emails
    response.write("\ufeff")  # BOM: Excel opens UTF-8 CSV correctly only with it
    unmasked = selectors.csv_reveals_contact(request.user)
    audit_record(
        action=Action.BULK_EXPORT,
        request=request,
        outcome="unmasked" if unmasked else "masked",
        details={"rows": job.total, "job": str(job.pk)},
    )
    writer = csv.writer(response)
    writer.writerows(selectors.bulk_job_csv_rows(job=job, reveal_contact=unmasked))
    return response
