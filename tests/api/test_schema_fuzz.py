"""Schemathesis drives every operation of our OpenAPI schema with generated input: never a 5xx.

Runs in-process against the WSGI app, with a seeded demo so slugs exist, and a personal API token so
authenticated operations are reached too.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from opencity.accounts.models import User
from opencity.accounts.services import api_token_create
from opencity.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(scope="module", autouse=True)
def _keep_test_connection():
    """Calling the WSGI app directly would close the test's connection after each request (the test
    client avoids it the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def token(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo")
        user = User.objects.get(email="repair-cafe-ixelles@example.org")
        yield api_token_create(user=user, name="fuzz")
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_answers_a_server_error(case, token):
    # Random slugs only reach the 404 branch; aim at real demo objects so the bodies are really parsed.
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters["slug"] = "brusselstogether" if "/hosts/" in case.path else "repair-cafe-ixelles"
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
