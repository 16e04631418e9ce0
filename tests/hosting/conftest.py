import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Argon2 costs ~0.4 s per user on this machine; these tests are about permissions, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
