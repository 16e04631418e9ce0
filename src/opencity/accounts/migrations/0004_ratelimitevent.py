from django.db import migrations, models


class Migration(migrations.Migration):
    """Failed logins become one kind of rate-limited event; the email-sending forms are two more kinds."""

    dependencies = [
        ("accounts", "0003_apitoken_request_key"),
    ]

    operations = [
        migrations.RenameModel(old_name="LoginAttempt", new_name="RateLimitEvent"),
        migrations.AddField(
            model_name="ratelimitevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("login", "Failed login"),
                    ("confirm_resend", "Confirmation email sent again"),
                    ("password_reset", "Password reset requested"),
                ],
                default="login",
                max_length=20,
            ),
        ),
        migrations.AlterField(model_name="ratelimitevent", name="email", field=models.CharField(max_length=254)),
        migrations.AlterField(
            model_name="ratelimitevent", name="ip", field=models.GenericIPAddressField(blank=True, null=True)
        ),
        migrations.AddIndex(
            model_name="ratelimitevent",
            index=models.Index(fields=["kind", "email", "at"], name="ratelimit_kind_email_at"),
        ),
        migrations.AddIndex(
            model_name="ratelimitevent",
            index=models.Index(fields=["kind", "ip", "at"], name="ratelimit_kind_ip_at"),
        ),
    ]
