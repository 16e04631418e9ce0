"""Permission questions about accounts, in one place."""


def has_2fa(user) -> bool:
    """True when the user is signed in and has a confirmed, active TOTP second factor."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "totp_enabled", False)
        and getattr(user, "totp_secret", "")
    )


def can_use_settings(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)
