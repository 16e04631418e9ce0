"""Who may review host requests: installation admins (Django superusers)."""


def can_review(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def can_apply(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "email_confirmed", False))
