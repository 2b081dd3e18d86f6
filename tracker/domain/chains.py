"""Hash chains for append-only history (consent events, access-log entries), per resident.

Each row's hash is SHA-256 of the previous row's hash and the row's own content as canonical
JSON, so changing, removing or reordering a row behind the service's back breaks every later
hash; ``verify`` finds it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")


# One encoder for every row (json.dumps with options builds a new one each call; an export hashes
# ten thousand rows).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def canonical(content: dict) -> bytes:
    return _CANONICAL.encode(content).encode()


def link(prev_hash: str, content: dict) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(content)).hexdigest()


# Columns added after rows were first hashed: left out while empty, so older rows still verify.
HASHED_ONLY_WHEN_SET = frozenset({"fields"})


def row_content(row, exclude: set[str]) -> dict:
    """The columns of a row that its hash covers (everything but the id and the hashes)."""
    content = {name: getattr(row, name) for name in type(row).model_fields if name not in exclude}
    return {name: value for name, value in content.items() if value is not None or name not in HASHED_ONLY_WHEN_SET}


def verify(rows, hash_field: str, exclude: set[str]) -> list[str]:
    """Problems in one resident's chain (rows in sequence order); empty when intact."""
    problems = []
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq:
            problems.append(f"seq {row.seq}: expected {expected_seq} (a row is missing or out of order)")
        if row.prev_hash != prev:
            problems.append(f"seq {row.seq}: does not follow the previous row")
        if link(row.prev_hash, row_content(row, exclude)) != getattr(row, hash_field):
            problems.append(f"seq {row.seq}: content does not match its hash (changed after it was written)")
        prev = getattr(row, hash_field)
    return problems
