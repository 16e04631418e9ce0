"""Django merges every catalogue of a language into one, so a msgid that two apps translate differently
shows only one app's translation everywhere. The check finds such msgids, and lets through the ones
translated alike or told apart by a context."""

import polib

from opencity.core.i18n_check import conflicts


def catalogue(root, app, lang, entries):
    path = root / app / "locale" / lang / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for ctxt, msgid, msgstr in entries:
        if isinstance(msgstr, list):  # plural forms
            po.append(
                polib.POEntry(msgctxt=ctxt, msgid=msgid, msgid_plural=msgid, msgstr_plural=dict(enumerate(msgstr)))
            )
        else:
            po.append(polib.POEntry(msgctxt=ctxt, msgid=msgid, msgstr=msgstr))
    po.save(str(path))
    return path


def test_a_msgid_translated_differently_in_two_catalogues_is_found(tmp_path):
    paths = [
        catalogue(tmp_path, "accounts", "nl", [(None, "Sign up", "Registreren"), (None, "Save", "Opslaan")]),
        catalogue(tmp_path, "community", "nl", [(None, "Sign up", "Inschrijven"), (None, "Save", "Opslaan")]),
    ]
    found = conflicts(paths)
    assert found["nl"] == [(None, "Sign up", ["accounts", "community"])]
    assert found["fr"] == [] and found["ar"] == []


def test_identical_translations_and_entries_told_apart_by_context_pass(tmp_path):
    paths = [
        catalogue(tmp_path, "accounts", "nl", [(None, "Sign up", "Registreren")]),
        catalogue(tmp_path, "community", "nl", [("volunteering", "Sign up", "Inschrijven")]),
        catalogue(tmp_path, "hosting", "nl", [(None, "Sign up", "Registreren")]),
        catalogue(tmp_path, "accounts", "fr", [(None, "Sign up", "S’inscrire")]),
    ]
    assert conflicts(paths) == {"fr": [], "nl": [], "ar": []}


def test_an_untranslated_entry_is_no_conflict_and_plural_forms_are_compared(tmp_path):
    paths = [
        catalogue(tmp_path, "events", "fr", [(None, "Venue", "Lieu")]),
        catalogue(tmp_path, "expenses", "fr", [(None, "Venue", "")]),
        catalogue(tmp_path, "contributions", "fr", [(None, "%(n)s left", ["%(n)s restant", "%(n)s restants"])]),
        catalogue(tmp_path, "ledger", "fr", [(None, "%(n)s left", ["%(n)s place", "%(n)s places"])]),
        catalogue(tmp_path, "stories", "fr", [(None, "%(n)s left", ["%(n)s restant", "%(n)s restants"])]),
    ]
    assert conflicts(paths)["fr"] == [(None, "%(n)s left", ["contributions", "ledger", "stories"])]
