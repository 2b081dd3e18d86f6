"""Password rules (NCSC and NIST SP 800-63B): long, no composition rules, not a common password.

Hashes are scrypt through Werkzeug, which salts and records its parameters in the hash.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 200  # long passphrases welcome; the cap only stops abuse of the hash function
# Werkzeug's scrypt default (N=2^15, r=8, p=1). Tests lower the cost to run quickly.
HASH_METHOD = "scrypt"


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("tracker").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why this password is refused, as a code, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    folded = password.strip().lower()
    common = common_passwords()
    # "password1234" is "password" with digits stuck on: just as easy to guess.
    core = folded.strip("0123456789!?.,#*@$ ")
    if folded in common or core in common or len(set(folded)) < 4:
        return "too_common"
    if username and username.lower() in folded and len(folded) - len(username) < 6:
        return "too_common"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


# Checked against when the username is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = None


def check_against_dummy(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not a real password, only for timing")
    check_password_hash(_DUMMY_HASH, password)
