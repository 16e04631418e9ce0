from django.http import HttpResponse, HttpResponseBadRequest, RawPostDataException
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from opencity.payments import stripe_webhooks


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Signed by Stripe (STRIPE_WEBHOOK_SECRET); a bad signature is refused with 400 and changes nothing."""
    try:
        payload = request.body
    except RawPostDataException:  # a form post, already parsed by a middleware: never Stripe, never a 500
        return HttpResponseBadRequest("bad signature")
    try:
        event = stripe_webhooks.verify(payload, request.headers.get("Stripe-Signature", ""))
    except stripe_webhooks.BadSignature:
        return HttpResponseBadRequest("bad signature")
    row = stripe_webhooks.handle(event)
    if row.processed_at is None:
        # Not settled (e.g. a refund the collective cannot cover): 500-class so Stripe retries later.
        return HttpResponse("needs attention", status=503)
    return HttpResponse("ok")
