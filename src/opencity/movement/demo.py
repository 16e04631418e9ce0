"""Demo: a group in Liège waiting for an installation admin to approve it as a host."""

from opencity.movement import services


def seed(ctx: dict) -> None:
    from opencity.hosting.demo import DEMO_PASSWORD, _user

    founder = _user("founder@liege-ensemble.example", "Léa Founder (Liège Ensemble)")
    services.host_request_submit(
        by=founder,
        name="Liège Ensemble",
        slug="liege-ensemble",
        legal_name="Liège Ensemble ASBL",
        enterprise_number="0403.170.701",
        iban="BE71096123456769",
        currency="EUR",
        default_host_fee_percent=7,
        languages=["fr", "nl"],
        message="Nous voulons faire pour Liège ce que BrusselsTogether fait pour Bruxelles.",
    )
    ctx["logins"].append(("host applicant", founder.email, DEMO_PASSWORD))
