"""Thin views: parse, check permission, call one service or selector, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencity.accounts.decorators import sudo_redirect
from opencity.community.services import consent_wording
from opencity.contributions import identity, permissions, recurring, selectors, services, settlement
from opencity.contributions.forms import TierForm, checkout_request_from_post, parse_amount
from opencity.contributions.models import Contribution, Interval, RecurringContribution, Tier
from opencity.contributions.rates import convert_for_display, current_rates
from opencity.contributions.receipts import receipt_pdf, statement_pdf
from opencity.core.confirm import confirm_page, confirmed
from opencity.core.errors import DomainError
from opencity.core.redirects import safe_next
from opencity.hosting import permissions as hosting_permissions
from opencity.hosting import selectors as hosting_selectors
from opencity.money import MAX_AMOUNT_MINOR, Money, format_money
from opencity.payments import providers

DEFAULT_SUGGESTED = 2500  # minor units: the amount suggested (and pre-picked) when nothing else is


def _collective_or_404(request, slug):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not hosting_permissions.can_view_collective(request.user, collective):
        raise Http404
    return collective


def checkout(request, slug: str, tier: str = ""):
    collective = _collective_or_404(request, slug)
    tier_obj = None
    if tier:
        tier_obj = selectors.tier_by_ref(collective, tier)
        if tier_obj is None:
            raise Http404
    recurring_only = bool(tier_obj and tier_obj.is_recurring)
    methods = providers.available(collective.host, recurring=recurring_only)
    error = None
    post = request.POST if request.method == "POST" else None
    if post is not None and collective.is_active and "preview" not in post:
        try:
            data = checkout_request_from_post(post, collective=collective, language=get_language() or "")
            if tier_obj:
                data.tier = tier_obj.slug
            if not request.session.session_key:
                request.session.save()  # a guest's idempotency keys belong to this browser session
            contribution = services.contribution_create(
                collective=collective, data=data, user=request.user, session_key=request.session.session_key
            )
            result = services.contribution_start_payment(contribution=contribution, request=request)
        except DomainError as exc:
            error = exc
        else:
            # This browser may see the details on the thank-you page (its id alone only shows the status).
            mine = request.session.get("contributions", [])[-20:]
            request.session["contributions"] = [*mine, contribution.public_id]
            if result.redirect_url:
                return redirect(result.redirect_url)
            return redirect("contributions:thanks", contribution.public_id)
    suggested = (tier_obj.amount if tier_obj else None) or DEFAULT_SUGGESTED
    params = post if post is not None else request.GET
    return render(
        request,
        "contributions/checkout.html",
        {
            "collective": collective,
            "tier": tier_obj,
            "tiers": selectors.collective_tiers(collective),
            "methods": methods,
            "intervals": Interval.choices,
            "presets": (tier_obj.presets if tier_obj else None) or [1000, 2500, 5000, 10000],
            "error": error,
            "form": post or {},
            "token": (post or {}).get("idempotency_token") or uuid.uuid4().hex,
            "other_currencies": convert_for_display(Money(suggested, collective.currency)),
            "suggested": suggested,
            "rates_date": current_rates()[0],
            "summary": _summary(params, collective=collective, tier=tier_obj, methods=methods),
            "keep_informed_wording": consent_wording(collective.host),
        },
        status=400 if error else 200,
    )


def _summary(params, *, collective, tier, methods) -> dict:
    """What will be charged and what the collective receives, for the amount, method and "cover the fees"
    currently chosen (None for the figures while no valid amount is chosen)."""
    from opencity.contributions.fees import checkout_breakdown

    interval = tier.interval if tier is not None else (params.get("interval") or Interval.ONE_TIME)
    out = {"breakdown": None, "interval_label": ""}
    if interval != Interval.ONE_TIME:
        out["interval_label"] = dict(Interval.choices).get(interval, "")
    if not methods:
        return out
    codes = {m.code: m for m in methods}
    provider = codes.get(params.get("payment_method", "")) or methods[0]
    if tier is not None and tier.amount_type == Tier.AmountType.FIXED:
        amount = tier.amount
    else:
        try:
            amount = parse_amount(params.get("amount", ""), collective.currency)
            if amount is None and (params.get("preset") or "").isdigit():
                amount = int(params["preset"])
        except DomainError:
            amount = None
        if amount is None and not params:
            amount = (tier.amount if tier is not None else None) or DEFAULT_SUGGESTED
    if not amount or amount <= 0 or amount > MAX_AMOUNT_MINOR:
        return out
    cover = params.get("cover_fees") in ("on", "1", "true")
    out["breakdown"] = checkout_breakdown(collective=collective, amount=amount, provider=provider, cover_fees=cover)
    return out


def checkout_summary(request, slug: str):
    """The "before you pay" box alone, for htmx while the contributor changes the amount or options."""
    collective = _collective_or_404(request, slug)
    tier = (request.GET.get("tier") or "")[:100]
    tier_obj = selectors.tier_by_ref(collective, tier) if tier else None
    methods = providers.available(collective.host, recurring=bool(tier_obj and tier_obj.is_recurring))
    ctx = {"collective": collective, "tier": tier_obj}
    ctx["summary"] = _summary(request.GET, collective=collective, tier=tier_obj, methods=methods)
    return render(request, "contributions/_checkout_summary.html", ctx)


def thanks(request, public_id: str):
    contribution = selectors.contribution_by_public_id(public_id)
    if contribution is None:
        raise Http404
    if contribution.status == Contribution.Status.PENDING and contribution.payment_method == "stripe":
        # The contributor is back from Stripe: ask Stripe now rather than wait for the webhook (a hint anyway).
        from opencity.contributions.stripe_webhooks import sync_checkout_session

        try:
            if contribution.external_checkout_id:
                sync_checkout_session(contribution.external_checkout_id)
                contribution.refresh_from_db()
        except Exception:  # noqa: BLE001, S110 - the webhook will settle it
            pass
    show_details = contribution.public_id in request.session.get("contributions", []) or (
        permissions.can_view_contribution(request.user, contribution)
    )
    instructions = {}
    if show_details and contribution.status == Contribution.Status.PENDING:
        instructions = providers.get(contribution.payment_method).instructions(contribution)
    return render(
        request,
        "contributions/thanks.html",
        {
            "contribution": contribution,
            "collective": contribution.collective,
            "show_details": show_details,
            "instructions": instructions,
        },
    )


@login_required
def mine(request):
    return render(
        request,
        "contributions/mine.html",
        {
            "contributions": selectors.contributions_of_user(request.user)[:200],
            "memberships": selectors.recurring_of_user(request.user),
            "statements": selectors.statement_years(request.user),
        },
    )


@login_required
def statement(request, host_slug: str, year: int):
    collective = hosting_selectors.collective_by_slug(host_slug)
    person = getattr(request.user, "person", None)
    if collective is None or not collective.is_host_profile or person is None:
        raise Http404
    host = collective.host
    rows = selectors.statement_contributions(person=person, host=host, year=year)
    if not rows:
        raise Http404
    pdf = statement_pdf(person=person, host=host, year=year, contributions=rows)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{host_slug}-{year}.pdf"'
    return response


@login_required
def receipt(request, public_id: str):
    contribution = selectors.contribution_by_public_id(public_id)
    if contribution is None or not permissions.can_view_contribution(request.user, contribution):
        raise Http404
    if not contribution.receipt_number:
        raise Http404
    response = HttpResponse(receipt_pdf(contribution), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{contribution.receipt_number}.pdf"'
    return response


def confirm_identity(request, public_id: str, token: str):
    """ "This was me", from the receipt email: the page asks, a POST confirms (a mail scanner's GET does not)."""
    contribution = selectors.contribution_by_public_id(public_id)
    if contribution is None:
        raise Http404
    if request.method == "POST":
        try:
            contribution = identity.contribution_confirm_identity(contribution=contribution, token=token)
        except DomainError:
            raise Http404 from None
        messages.success(request, _("Thank you: the gift now appears in your contributions."))
    elif not identity.identity_token_matches(contribution, token):
        raise Http404
    return render(request, "contributions/confirm.html", {"contribution": contribution})


def cancel_by_token(request, token: str):
    rec = RecurringContribution.objects.select_related("collective", "tier").filter(cancel_token=token).first()
    if rec is None:
        raise Http404
    if request.method == "POST":
        try:
            recurring.recurring_cancel(recurring=rec, token=token, reason="cancelled by the contributor (link)")
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your membership is cancelled. Thank you for your support!"))
        rec.refresh_from_db()
    return render(request, "contributions/cancel.html", {"recurring": rec})


@login_required
@require_POST
def cancel(request, public_id: str):
    rec = get_object_or_404(RecurringContribution.objects.select_related("collective"), public_id=public_id)
    if not permissions.can_cancel_recurring(request.user, rec):
        raise Http404
    if rec.status != RecurringContribution.Status.CANCELLED and not confirmed(request):
        return confirm_page(
            request,
            title=_("Cancel this membership?"),
            question=_("The membership of %(amount)s to %(collective)s ends now; no further payment will be taken.")
            % {"amount": format_money(Money(rec.amount, rec.currency)), "collective": rec.collective.name},
            button=_("Yes, cancel the membership"),
            back_url=reverse("contributions:mine"),
        )
    try:
        recurring.recurring_cancel(recurring=rec, by=request.user, reason=request.POST.get("reason", "")[:200])
        messages.success(request, _("The membership is cancelled."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect(safe_next(request, reverse("contributions:mine")))


@login_required
def refund(request, public_id: str):
    """Host admins: a confirmation page that asks why (the reason is shown on the public line), then the
    refund. GET shows what will be given back; POST with a reason refunds (two-factor session required)."""
    contribution = selectors.contribution_by_public_id(public_id)
    if contribution is None or not permissions.can_refund(request.user, contribution):
        raise Http404
    if sudo := sudo_redirect(request):
        return sudo
    error, reason = "", ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:300]
        try:
            settlement.contribution_refund(contribution=contribution, by=request.user, reason=reason)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("The contribution is refunded."))
            return redirect("contributions:manage", contribution.collective.slug)
    left = contribution.amount - contribution.amount_refunded
    return render(
        request,
        "contributions/refund.html",
        {
            "contribution": contribution,
            "collective": contribution.collective,
            "left": left,
            "error": error,
            "reason": reason,
        },
        status=400 if error else 200,
    )


@login_required
def manage(request, slug: str):
    """Admins: tiers (create, archive), members, and the contributions with their state."""
    collective = _collective_or_404(request, slug)
    if not permissions.can_manage_tiers(request.user, collective):
        raise Http404
    form = TierForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "archive":
        tier = get_object_or_404(Tier, collective=collective, public_id=request.POST.get("tier"))
        services.tier_archive(tier=tier, by=request.user)
        return redirect("contributions:manage", slug)
    if request.method == "POST" and form.is_valid():
        try:
            services.tier_create(collective=collective, by=request.user, **form.service_kwargs(collective.currency))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Tier created."))
            return redirect("contributions:manage", slug)
    contributions = (
        Contribution.objects.filter(collective=collective)
        .select_related("person", "tier")
        .order_by("-created_at", "-id")[:100]
    )
    return render(
        request,
        "contributions/manage.html",
        {
            "collective": collective,
            "form": form,
            "tiers": selectors.collective_tiers(collective),
            "members": selectors.collective_members(collective),
            "contributions": contributions,
            "can_refund": hosting_permissions.is_host_admin(request.user, collective.host),
        },
    )
