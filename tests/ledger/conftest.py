import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs ~0.5 s per user on a busy 2-core machine; these tests are about money, not passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def enable_2fa(user):
    """Host admins move money only with two-factor authentication on."""
    import pyotp

    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = True
    user.save(update_fields=["totp_secret", "totp_enabled"])
    return user


@pytest.fixture
def host_admin(host):
    """The host's admin, with two-factor authentication on (required to record added funds)."""
    return enable_2fa(host.admins.first())
