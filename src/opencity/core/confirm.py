"""Ask before an action that cannot be undone, without JavaScript: a confirmation page.

The one-click button posts as before; the view answers with a page that says what will happen and posts
the same fields again with `confirm=yes`. Only that second post acts.
"""

from __future__ import annotations

from django.shortcuts import render


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def confirm_page(request, *, title: str, question: str, button: str, back_url: str, danger: bool = True):
    """The page that asks; it re-posts every field of the first post (not the CSRF token) with confirm=yes."""
    fields = [
        (key, value)
        for key, values in request.POST.lists()
        if key not in ("csrfmiddlewaretoken", "confirm")
        for value in values
    ]
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "question": question,
            "button": button,
            "back_url": back_url,
            "danger": danger,
            "fields": fields,
            "action": request.get_full_path(),
        },
    )
