"""Translation catalogues: compile .po → .mo with polib (no GNU gettext needed), and check them.

`python -m opencity.core.i18n_check` fails when a fr/nl/ar catalogue has an untranslated or fuzzy
entry, a plural entry without every form its language counts (Arabic has six: with two, "2 lines" falls
back to English), or a committed .mo is out of date with its .po. `--compile` rewrites the .mo files.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("fr", "nl", "ar")


def catalogues() -> list[Path]:
    return sorted(p for p in ROOT.rglob("locale/*/LC_MESSAGES/django.po"))


def compile_all() -> int:
    n = 0
    for po_path in catalogues():
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        n += 1
    return n


def _plural_forms(po) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def problems() -> list[str]:
    out = []
    for po_path in catalogues():
        lang = po_path.parts[-3]
        po = polib.pofile(str(po_path))
        rel = po_path.relative_to(ROOT)
        if lang in LANGS:
            missing = [e.msgid for e in po.untranslated_entries()]
            fuzzy = [e.msgid for e in po.fuzzy_entries() if not e.obsolete]
            for msgid in missing[:5]:
                out.append(f"{rel}: untranslated: {msgid!r}")
            if len(missing) > 5:
                out.append(f"{rel}: … and {len(missing) - 5} more untranslated")
            for msgid in fuzzy[:5]:
                out.append(f"{rel}: fuzzy: {msgid!r}")
            forms = _plural_forms(po)
            for e in po.translated_entries():
                if e.msgid_plural and sorted(k for k, v in e.msgstr_plural.items() if v) != list(range(forms)):
                    out.append(f"{rel}: plural {e.msgid!r} needs {forms} forms, has {len(e.msgstr_plural)}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            out.append(f"{rel}: no compiled .mo (run `make compilemessages`)")
            continue
        compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(mo_path))}
        expected = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in po.translated_entries()}
        if compiled != expected:
            out.append(f"{rel}: .mo is out of date (run `make compilemessages`)")
    return out


def main(argv: list[str]) -> int:
    if "--compile" in argv:
        print(f"compiled {compile_all()} catalogues")
        return 0
    found = problems()
    for line in found:
        print(line)
    print(f"i18n: {len(catalogues())} catalogues, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
