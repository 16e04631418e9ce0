from django.core.management.base import BaseCommand, CommandError

from opencity.accounts import selectors, services


class Command(BaseCommand):
    help = "Print a new personal API token for the user with this email address."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the user's email address")
        parser.add_argument("--name", default="cli", help="a name for the token (shown on the settings page)")

    def handle(self, *args, email: str, name: str, **options):
        user = selectors.user_by_email(email)
        if user is None:
            raise CommandError(f"No user with the email address {email!r}.")
        if not user.is_active:
            raise CommandError(f"The user {email!r} is deactivated.")
        self.stdout.write(services.api_token_create(user=user, name=name))
