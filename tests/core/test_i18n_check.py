"""The catalogue check also finds sentences translated when a module is imported (every reader then gets the
language the server started in), and lets the ones translated per request through. `make test` runs the
check on the whole project before the suite."""

from opencity.core.i18n_check import eager_calls

SOURCE = """
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

DONE = {"approve": _("Approved.")}                      # line 5: at import
LAZY = {"approve": gettext_lazy("Approved.")}


class Form:
    title = ngettext("%(n)d line", "%(n)d lines", 2)   # line 10: a class body runs at import


def view(request, label=_("Default")):                 # line 13: a default is computed at import
    return _("Thanks.")


ACTIONS = {"approve": lambda: _("Approved.")}
"""


def test_gettext_at_import_time_is_found_where_it_is():
    assert eager_calls(SOURCE) == [5, 10, 13]


def test_a_module_with_only_lazy_text_or_no_translation_import_passes():
    assert eager_calls("from django.utils.translation import gettext_lazy as _\nX = _('Hi')\n") == []
    assert eager_calls("def _(s):\n    return s\n\nX = _('Hi')\n") == []
