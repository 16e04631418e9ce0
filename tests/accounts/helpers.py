import re

CONFIRM_RE = re.compile(r"https?://[^/\s]+(/accounts/confirm/[^/\s]+/)")


def confirm_path(mail) -> str:
    match = CONFIRM_RE.search(mail.body)
    assert match, mail.body
    return match.group(1)


def signup(client, email="ada@example.org", password="correct-horse-battery-staple", name="Ada Lovelace", url=None):
    return client.post(url or "/accounts/signup/", {"name": name, "email": email, "password": password})
