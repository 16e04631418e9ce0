"""Opaque, prefixed public ids (HCB style: `exp_8kq2m4x7zr`), so URLs never expose sequential keys."""

import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, no i/l/o/u
# Byte → letter: 256 is a multiple of 32, so each letter stays equally likely (one urandom call per id).
_TABLE = bytes(ord(_ALPHABET[b % 32]) for b in range(256))


def new_public_id(prefix: str, length: int = 12) -> str:
    return f"{prefix}_" + secrets.token_bytes(length).translate(_TABLE).decode("ascii")


class PublicIdDefault:
    """A picklable callable default for a public id field (migrations must be able to serialise it)."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self) -> str:
        return new_public_id(self.prefix)

    def deconstruct(self):
        return ("opencity.core.ids.PublicIdDefault", (self.prefix,), {})

    def __eq__(self, other) -> bool:
        return isinstance(other, PublicIdDefault) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def public_id_field(prefix: str):
    from django.db import models

    return models.CharField(max_length=32, unique=True, editable=False, default=PublicIdDefault(prefix))
