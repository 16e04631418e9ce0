"""Host applications: a group asks to become a host on this installation; an installation admin decides."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Router, Schema

from opencity.api.auth import token_auth
from opencity.api.schemas import ErrorOut
from opencity.core.errors import NotFound
from opencity.movement import permissions, services
from opencity.movement.models import HostRequest

router = Router(tags=["movement"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class HostRequestIn(Schema):
    name: str = Field(max_length=120)
    slug: str = Field(max_length=50)
    legal_name: str = Field(max_length=200)
    enterprise_number: str = Field(max_length=20)
    iban: str = Field(max_length=42)
    currency: str = Field("EUR", max_length=3)
    default_host_fee_percent: Decimal = Field(Decimal(8), ge=0, le=50, max_digits=5, decimal_places=2)
    languages: list[str] = Field(default_factory=lambda: ["en"], max_length=4)
    message: str = Field("", max_length=5000)


class HostRequestOut(Schema):
    id: str
    name: str
    slug: str
    status: str
    host: str | None


def _out(req: HostRequest) -> dict:
    return {
        "id": req.public_id,
        "name": req.name,
        "slug": req.slug,
        "status": req.status,
        "host": req.host.profile.slug if req.host_id else None,
    }


@router.post("/host-applications", response={201: HostRequestOut, **ERRORS}, auth=token_auth)
def host_application_create(request, payload: HostRequestIn):
    req = services.host_request_submit(by=request.user, **payload.dict())
    return 201, _out(req)


@router.get("/host-applications/{public_id}", response={200: HostRequestOut, **ERRORS}, auth=token_auth)
def host_application_read(request, public_id: str):
    req = HostRequest.objects.filter(public_id=public_id).first()
    if req is None or not (req.applied_by_id == request.user.pk or permissions.can_review(request.user)):
        raise NotFound()
    return _out(req)


@router.post("/host-applications/{public_id}/approve", response={200: HostRequestOut, **ERRORS}, auth=token_auth)
def host_application_approve(request, public_id: str):
    req = HostRequest.objects.filter(public_id=public_id).first()
    if req is None or not permissions.can_review(request.user):
        raise NotFound()
    return _out(services.host_request_approve(request=req, by=request.user))
