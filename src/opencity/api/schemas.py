"""Shapes shared by every API module."""

from ninja import Schema


class MoneyOut(Schema):
    value: int
    currency: str


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


def money_out(amount: int, currency: str) -> dict:
    return {"value": int(amount), "currency": currency}
