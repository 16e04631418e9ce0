from django.db import IntegrityError, transaction

from opencity.community.models import Person


def person_find_or_create(
    *, email: str, name: str = "", user=None, language: str = "", new_name: str | None = None
) -> Person:
    """The one Person for this email (case-insensitive); created on first sight, name filled if missing.

    `name` may fill an existing person's missing name: pass it only when the email is proven (a signed-in
    user, a confirmed link). `new_name` names a person created now and never touches an existing one (a
    guest's typed name: an email in a form proves nothing)."""
    email = email.strip().lower()
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        first_name = (name or new_name or "").strip()
        try:
            with transaction.atomic():
                person = Person.objects.create(email=email, name=first_name, user=user, language=language)
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
