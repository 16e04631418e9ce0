"""Browser journey: sign up, confirm by email, land logged in; then turn on two-factor and log in with a code."""

import re

import pyotp
import pytest

from opencity.accounts.models import User
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-enough-passphrase"


def test_signup_confirm_and_two_factor_login(page, live_server, mailoutbox):
    page.goto("/accounts/signup/")
    page.fill("input[name=name]", "Nadia Benali")
    page.fill("input[name=email]", "Nadia@Example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("text=Check your email")

    assert len(mailoutbox) == 1
    path = re.search(r"https?://[^/\s]+(/accounts/confirm/[^/\s]+/)", mailoutbox[0].body).group(1)
    page.goto(path)
    page.wait_for_selector("text=Your email address is confirmed")
    assert page.url == live_server.url + "/"
    assert page.locator("header").get_by_text("Nadia Benali").is_visible()
    assert User.objects.get(email="nadia@example.org").email_confirmed

    # two-factor: turn it on from the settings page, then log in again with a code
    page.goto("/accounts/settings/")
    page.click("text=Turn on two-factor authentication")
    page.wait_for_selector(".qr svg")
    secret = page.inner_text("code.secret").replace(" ", "")
    page.fill("input[name=otp]", pyotp.TOTP(secret).now())
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("text=Two-factor authentication is on")

    page.click("header form button[type=submit]:has-text('Log out')")
    page.wait_for_selector("header >> text=Log in")
    login(page, "nadia@example.org", PASSWORD, otp=pyotp.TOTP(secret).now())
    page.wait_for_selector("header >> text=Nadia Benali")
    assert page.url == live_server.url + "/"
