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
    if _predictable(folded):
        return "too_common"
    return None


# Runs that are quick to guess, forwards or backwards: the alphabet, digits, and keyboard rows and
# columns (UK layout), each also continuing onto the next row ("qwertyuiopas").
RUNS = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiopasdfghjklzxcvbnm", "1234567890qwertyuiop",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "!@#$%^&*()_+", "!\"£$%^&*()_+")
MIN_PIECES = 5


def _predictable(password: str) -> bool:
    """True for sequences, repeats and keyboard runs ("123456789012", "qwertyuiopas", "aaaabbbbcccc",
    "abcabcabcabc"): cut into runs of 3 or more and repeated blocks, it is fewer than 5 pieces —
    far fewer guesses than its length suggests. (Three random words are many more pieces.)"""
    text = password.replace(" ", "")
    for size in range(1, 5):  # the same few characters over and over
        if len(text) >= 2 * size and text == (text[:size] * (len(text) // size + 1))[:len(text)]:
            return True
    pieces, i = 0, 0
    while i < len(text):
        i += max(_run_length(text, i), _repeat_length(text, i))
        pieces += 1
    return pieces < MIN_PIECES


def _run_length(text: str, start: int) -> int:
    """How long the run from ``start`` is along any of RUNS (1 if none of 3 or more)."""
    best = 1
    for run in (*RUNS, *(r[::-1] for r in RUNS)):
        at = run.find(text[start])
        while at != -1:
            length = 1
            while start + length < len(text) and at + length < len(run) and text[start + length] == run[at + length]:
                length += 1
            best = max(best, length)
            at = run.find(text[start], at + 1)
    return best if best >= 3 else 1


def _repeat_length(text: str, start: int) -> int:
    """How long a block of one repeated character, or a repeated short chunk, lasts from ``start``."""
    best = 1
    for size in range(1, 5):
        chunk = text[start:start + size]
        length = size
        while text[start + length:start + length + size] == chunk:
            length += size
        if length >= 3 and length > size:
            best = max(best, length)
    return best


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
