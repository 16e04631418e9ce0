import pytest

from tests.conftest import enable_2fa


@pytest.fixture
def host_admin(host):
    """The host's admin, with two-factor authentication on (required to record added funds)."""
    return enable_2fa(host.admins.first())
