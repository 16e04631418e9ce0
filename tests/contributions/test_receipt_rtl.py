"""Issue 10: the Arabic receipt runs right to left — each label on the right, its value to its left, text
aligned to the right — while the English receipt keeps labels on the left."""

import pytest
from fpdf import FPDF

from opencity.contributions.receipts import receipt_pdf_in
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db


def _cells(monkeypatch, contribution, language):
    drawn = []
    original = FPDF.cell

    def spy(self, w=None, h=None, text="", *args, **kwargs):
        drawn.append((self.get_x(), str(text), kwargs.get("align", "")))
        return original(self, w, h, text, *args, **kwargs)

    monkeypatch.setattr(FPDF, "cell", spy)
    pdf = receipt_pdf_in(contribution, language)
    monkeypatch.setattr(FPDF, "cell", original)
    assert pdf[:4] == b"%PDF"
    return drawn


def _x_of(drawn, text):
    return next(x for x, t, _ in drawn if t == text)


def test_arabic_receipt_runs_right_to_left(monkeypatch, collective):
    c = give(collective, amount=1500)
    english = _cells(monkeypatch, c, "en")
    assert _x_of(english, "Amount") < _x_of(english, "€15.00")
    arabic = _cells(monkeypatch, c, "ar")
    label = next(t for _, t, align in arabic if t and t != c.public_id and align == "R" and "€" not in t)
    assert label  # an Arabic label, drawn right-aligned
    amount_x = next(x for x, t, _ in arabic if "15" in t and ("€" in t or "EUR" in t))
    # the value cell starts at the left margin; its label cell comes after it, on the right
    labels_after_amount = [x for x, t, align in arabic if x > amount_x and align == "R"]
    assert labels_after_amount, arabic
    assert all(align == "R" for _, _, align in arabic)
