"""Every form puts a checkbox before its words, inside its label; other fields keep Django's label-then-input."""

from django import forms


class Consent(forms.Form):
    name = forms.CharField(label="Your name")
    keep_informed = forms.BooleanField(label="Keep me informed", required=True, help_text="Once a month at most.")


def test_a_checkbox_sits_inside_its_label_before_its_words():
    html = Consent().as_div()
    assert '<label class="check"><input type="checkbox" name="keep_informed"' in html
    assert (
        html.index('name="keep_informed"')
        < html.index("Keep me informed")
        < html.index("</label>", html.index("check"))
    )
    assert "Keep me informed:" not in html  # no colon after words that follow the box
    assert html.index("Your name") < html.index('name="name"')  # a text field: label first, as before


def test_a_refused_checkbox_still_says_why():
    html = Consent(data={"name": "Amina"}).as_div()
    assert 'class="errorlist"' in html and html.index("errorlist") < html.index('name="keep_informed"')
