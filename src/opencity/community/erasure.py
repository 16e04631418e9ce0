"""A person erases themselves: anonymised everywhere, the ledger whole ("Anonymous contributor")."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.community.models import AccessLog, Consent, Member, Person, RetainedName, SignUp

# Belgian law: accounting documents (and so the name on an issued receipt) are kept for 7 years.
LEGAL_RETENTION_YEARS = 7


def _retain_receipt_names(person: Person) -> None:
    from opencity.contributions.models import Contribution
    from opencity.contributions.receipts import contributor_name

    issued = Contribution.objects.filter(person=person, receipt_number__isnull=False).select_related(
        "collective", "person"
    )
    for c in issued:
        name = c.organisation_name or contributor_name(c)
        if not name:
            continue
        issued_on = (c.paid_at or c.created_at).date()
        RetainedName.objects.get_or_create(
            host_id=c.collective.host_id,
            receipt_number=c.receipt_number,
            defaults={
                "name": name,
                "issued_on": issued_on,
                "keep_until": dt.date(issued_on.year + LEGAL_RETENTION_YEARS, 12, 31),
            },
        )


def _erase_tickets(person: Person) -> None:
    """Names on the tickets the person ordered (they typed them) or that carry their address, and their
    place on waiting lists: the orders keep their amounts, statuses and dates."""
    from django.db.models import Q

    from opencity.events.models import Ticket, WaitingListEntry

    anonymous = str(_("Anonymous"))
    Ticket.objects.filter(Q(order__person=person) | Q(attendee_email__iexact=person.email)).update(
        attendee_name=anonymous, attendee_email="", answers={}
    )
    WaitingListEntry.objects.filter(person=person).update(name=anonymous)


@transaction.atomic
def person_erase(*, person: Person) -> Person:
    """Anonymise the person and every copy of their name and email; keep amounts and dates. Twice is once."""
    from opencity.contributions.models import Contribution, RecurringContribution
    from opencity.expenses.models import Expense, PayoutMethod
    from opencity.ledger.models import Journal

    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at:
        return person
    _retain_receipt_names(person)
    contributions = Contribution.objects.filter(person=person)
    Journal.objects.filter(person=person).update(counterparty_label="")
    Journal.objects.filter(pk__in=contributions.exclude(journal__isnull=True).values("journal_id")).update(
        counterparty_label=""
    )
    contributions.update(contributor_name="", public_message="", organisation_name="", organisation_vat="")
    RecurringContribution.objects.filter(person=person).update(contributor_name="")
    Expense.objects.filter(payee_person=person).update(
        payee_name="", address_street="", address_number="", address_postcode="", address_town=""
    )
    used = Expense.objects.filter(payout_method__person=person).values("payout_method_id")
    PayoutMethod.objects.filter(person=person).exclude(pk__in=used).delete()
    PayoutMethod.objects.filter(person=person).update(account_holder="")
    SignUp.objects.filter(person=person).update(name="", email=f"{person.public_id}@erased.invalid", message="")
    _erase_tickets(person)
    Consent.objects.filter(person=person).delete()
    Member.objects.filter(person=person).delete()
    AccessLog.objects.filter(person=person).delete()
    person.tags.clear()
    user = person.user
    person.name = ""
    person.email = f"{person.public_id}@erased.invalid"
    person.languages, person.commune, person.user, person.anonymised_at = [], "", None, timezone.now()
    person.save()
    if user is not None:
        user.name = ""
        user.email = f"{person.public_id}@erased.invalid"
        user.is_active = False
        user.set_unusable_password()
        user.save()
    return person
