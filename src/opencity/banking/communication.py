"""Belgian structured communication ("OGM/VCS", `+++123/4567/89002+++`): made, shown and found in free text."""

from __future__ import annotations

import re
import secrets

from stdnum.be import ogm_vcs

# +++123/4567/89002+++, ***123/4567/89002***, 123/4567/89002, 123456789002 — with or without spaces,
# never inside a longer run of digits.
_CANDIDATE = re.compile(r"(?<!\d)(\d{3})[\s/]*(\d{4})[\s/]*(\d{5})(?!\d)")


def new_communication() -> str:
    """Twelve random digits whose last two are the mod-97 check of the first ten."""
    base = f"{secrets.randbelow(10**10):010d}"
    return base + ogm_vcs.calc_check_digits(base)


def is_valid(digits: str) -> bool:
    return ogm_vcs.is_valid(digits)


def display(digits: str) -> str:
    """`+++123/4567/89002+++`: how banks and people write it."""
    return f"+++{ogm_vcs.format(digits)}+++" if digits else ""


def find(text: str) -> list[str]:
    """Every valid structured communication in `text`, as 12 digits, in order of appearance."""
    found: list[str] = []
    for m in _CANDIDATE.finditer(text or ""):
        digits = "".join(m.groups())
        if ogm_vcs.is_valid(digits) and digits not in found:
            found.append(digits)
    return found
