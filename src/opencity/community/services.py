from django.db import IntegrityError, transaction

from opencity.community.models import Person


def person_find_or_create(*, email: str, name: str = "", user=None, language: str = "") -> Person:
    """The one Person for this email (case-insensitive); created on first sight, name filled if missing."""
    email = email.strip().lower()
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        try:
            with transaction.atomic():
                person = Person.objects.create(email=email, name=name.strip(), user=user, language=language)
        except IntegrityError:  # created by a concurrent request
            person = Person.objects.get(email__iexact=email)
    changed = []
    if name and not person.name:
        person.name = name.strip()
        changed.append("name")
    if user is not None and person.user_id is None:
        person.user = user
        changed.append("user")
    if changed:
        person.save(update_fields=changed)
    return person
