from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencity.core.ids import public_id_field


class Person(models.Model):
    """A human known to the community database by email, with or without a login."""

    public_id = public_id_field("per")
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    language = models.CharField(max_length=8, blank=True)
    # What the person tells us about themselves (never shown publicly).
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    commune = models.CharField(_("commune"), max_length=30, blank=True, db_index=True)
    tags = models.ManyToManyField("community.Tag", blank=True, related_name="people")
    created_at = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="person_email_ci_unique")]

    def __str__(self) -> str:
        return self.name or _("Anonymous")

    @property
    def public_name(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymous contributor"))
        return self.name or str(_("Anonymous"))


class Tag(models.Model):
    """An interest or a skill: curated by a host (the list people pick from) or typed freely."""

    class Kind(models.TextChoices):
        INTEREST = "interest", _("Interest")
        SKILL = "skill", _("Skill")

    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="community_tags")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    curated = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint("host", "kind", Lower("name"), name="tag_unique_per_host")]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class InteractionKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution")
    REGISTRATION = "registration", _("Event registration")
    VOLUNTEER = "volunteer", _("Volunteer sign-up")
    NEWSLETTER = "newsletter", _("Newsletter subscription")


class Interaction(models.Model):
    """One proven thing a person did with a host (and a collective, and an event).

    Only proven interactions are recorded (a signed-in user, or a link clicked in the mailbox): an email typed
    in a form never adds to a known person's history. `event_ref` is the public id of an event (the events
    app adds its own reference later); `source_ref` is the public id of what caused it, so it is recorded once.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interactions")
    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="+")
    collective = models.ForeignKey(
        "hosting.Collective", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event_ref = models.CharField(max_length=40, blank=True, db_index=True)
    kind = models.CharField(max_length=20, choices=InteractionKind.choices)
    source_ref = models.CharField(max_length=60)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("person", "kind", "source_ref", name="interaction_once")]
        indexes = [models.Index(fields=["collective", "person"])]


class Member(models.Model):
    """A person as one host's community sees them: one row per (host, person), kept up to date by the
    services, so the Community page filters one indexed table (first/last seen, consent) over 100,000 people."""

    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    consenting = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint("host", "person", name="member_once")]
        indexes = [
            models.Index(fields=["host", "consenting", "last_seen"]),
            models.Index(fields=["host", "first_seen"]),
        ]


class Consent(models.Model):
    """ "Keep me informed" for one host: the wording as shown, when it was asked, confirmed, withdrawn."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="+")
    wording = models.TextField()
    language = models.CharField(max_length=8, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.withdrawn_at is None


class AccessLog(models.Model):
    """Who looked at or exported a person's data, and why: shown to the person on their data page."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed in the community list")
        EXPORT = "export", _("exported to CSV")
        API = "api", _("read through the API")
        MAILING = "mailing", _("included in a mailing")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_log")
    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)


class Opportunity(models.Model):
    """A volunteer opportunity of a collective, or of the host itself (collective empty)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("volunteering", "Open")
        CLOSED = "closed", _("Closed")

    public_id = public_id_field("vol")
    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="opportunities")
    collective = models.ForeignKey(
        "hosting.Collective", null=True, blank=True, on_delete=models.CASCADE, related_name="opportunities"
    )
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("Leave empty for an ongoing need."))
    place = models.CharField(_("place"), max_length=200, blank=True)
    commune = models.CharField(_("commune"), max_length=30, blank=True)
    skills = models.ManyToManyField(Tag, blank=True, related_name="opportunities")
    people_needed = models.PositiveIntegerField(_("people needed"), default=1)
    standing = models.CharField(max_length=20, blank=True)  # "story": the host's "write a story"
    link = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(people_needed__gte=1), name="opportunity_needs_someone"),
            models.UniqueConstraint(
                "host", "standing", condition=~models.Q(standing=""), name="one_standing_opportunity_per_kind"
            ),
        ]
        ordering = ["date", "-created_at"]

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    """Someone offers to help. A guest's sign-up keeps the name and email as typed; it joins the person's
    history (an interaction) only once the email's owner confirms it by the link sent there."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    public_id = public_id_field("sig")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="signups")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(max_length=8, blank=True)
    email_verified = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("opportunity", "person", name="signup_once")]


class Mailing(models.Model):
    """A message to a filtered group of consenting people, sent in the background, one recipient row each."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    public_id = public_id_field("mal")
    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="mailings")
    collective = models.ForeignKey(
        "hosting.Collective", null=True, blank=True, on_delete=models.CASCADE, related_name="mailings"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # A suggested volunteer opportunity: each matching person is told about it once.
    opportunity = models.ForeignKey(
        "community.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    recipients_count = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    # Recipients whose message may or may not have left when a worker died (never sent twice): at most one
    # per dead worker. See mailings.py.
    unknown_count = models.PositiveIntegerField(default=0)
    # The worker sending it holds the lease until `lease_until` (renewed before each message).
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)


class MailingRecipient(models.Model):
    """One row per (mailing, person), written before anything is sent: a worker marks a row SENDING (committed)
    before its message goes out and SENT right after; a resumed worker sends only PENDING rows, so nobody
    gets the same mailing twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        UNKNOWN = "unknown", _("Perhaps sent (the worker stopped during the send)")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("mailing", "person", name="mailing_recipient_once")]
        indexes = [models.Index(fields=["mailing", "status"])]


class RetainedName(models.Model):
    """What the law obliges a host to keep after a person erased themselves: the name on an issued receipt,
    until `keep_until`. Shown to the host's admins only; deleted by `opencity community-purge` after that."""

    host = models.ForeignKey("hosting.Host", on_delete=models.CASCADE, related_name="+")
    receipt_number = models.CharField(max_length=30)
    name = models.CharField(max_length=200)
    issued_on = models.DateField()
    keep_until = models.DateField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint("host", "receipt_number", name="retained_receipt_once")]
