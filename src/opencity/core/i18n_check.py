"""Translation catalogues: compile .po → .mo with polib (no GNU gettext needed), and check them.

`python -m opencity.core.i18n_check` fails when a fr/nl/ar catalogue has an untranslated or fuzzy
entry, a plural entry without every form its language counts (Arabic has six: with two, "2 lines" falls
back to English), a committed .mo is out of date with its .po, or code translates a sentence when its
module is imported (`gettext` at module or class level: every reader then gets the language the server
started in; such text must use `gettext_lazy`), or two catalogues translate the same msgid (and msgctxt)
differently: Django merges every catalogue of a language into one, so only one of them wins on every page
(the Dutch volunteer "Sign up" read "Registreren", the accounts catalogue's "create an account"); give the
meanings a context (`pgettext`, `{% translate … context "…" %}`) or agree on one translation.
`--compile` rewrites the .mo files.
"""

from __future__ import annotations

import ast
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


EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def eager_calls(source: str) -> list[int]:
    """Lines where `source` calls a non-lazy gettext while being imported (module or class body, defaults)."""
    tree = ast.parse(source)
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER
    }
    lines: list[int] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id in names:
                lines.append(child.lineno)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for default in child.args.defaults + child.args.kw_defaults:
                    if default is not None:
                        visit(ast.Expression(default))
                continue  # a function's body runs per request, in the reader's language
            if not isinstance(child, ast.Lambda):
                visit(child)

    if names:
        visit(tree)
    return sorted(lines)


def _catalogue_name(po_path: Path) -> str:
    """The folder holding `locale/`: the app (`community`), or `opencity` for the project's catalogue."""
    return po_path.parents[3].name


def conflicts(paths: list[Path]) -> dict[str, list[tuple[str | None, str, list[str]]]]:
    """Per language in LANGS: each (msgctxt, msgid, catalogues) that two catalogues translate differently."""
    out: dict[str, list[tuple[str | None, str, list[str]]]] = {}
    for lang in LANGS:
        seen: dict[tuple[str | None, str], dict[str, object]] = {}
        for po_path in paths:
            if po_path.parts[-3] != lang:
                continue
            for e in polib.pofile(str(po_path)).translated_entries():
                text = e.msgstr or tuple(sorted(e.msgstr_plural.items()))
                seen.setdefault((e.msgctxt, e.msgid), {})[_catalogue_name(po_path)] = text
        out[lang] = [
            (ctxt, msgid, sorted(by_cat))
            for (ctxt, msgid), by_cat in sorted(seen.items(), key=lambda kv: (kv[0][1], kv[0][0] or ""))
            if len(set(by_cat.values())) > 1
        ]
    return out


def problems() -> list[str]:
    out = []
    for py in sorted(ROOT.rglob("*.py")):
        if "migrations" not in py.parts:
            for line in eager_calls(py.read_text()):
                out.append(f"{py.relative_to(ROOT)}:{line}: gettext at import time: use gettext_lazy")
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
    for lang, found in conflicts(catalogues()).items():
        for ctxt, msgid, cats in found:
            where = f"{msgid!r} (context {ctxt!r})" if ctxt else repr(msgid)
            out.append(
                f"{lang}: {where} is translated differently in {', '.join(cats)}:"
                " give the meanings a context or one translation"
            )
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
