"""About me: a resident's own account of their situation, told once and shared field by field.

The questions are data (``fields.toml``): each has a code, a kind, whether it is special-category
data (UK GDPR Article 9) and its words in every language we ship. Every answer is an append-only
``AboutMeEntry``; the latest of each field is the answer now, and the entries after a look are
"what changed since you last looked". Who may see which field is consent's decision (an
organisation's notice for ``about_me`` lists the fields it asks for; the resident's consent names
the ones they chose; ``consent.about_me_fields`` says which a look may show): nothing here decides
it.

Answers are never shown here, only checked and kept: the pages put them into words.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from sqlmodel import Session, col, delete, select

from tracker.clock import utcnow
from tracker.domain.locks import lock_residents
from tracker.domain.plan import Actor
from tracker.models import AboutMeEntry, DirectoryService, Provider, Referral, ReferralState, Role, User

KINDS = ("text", "long_text", "one", "many", "address", "phone", "support")
LANGUAGES = ("en", "pl")
# Referrals that mean the resident gets (or got) support from that service.
SUPPORT_STATES = (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, ReferralState.CLOSED)
TEXT_MAX = 200  # a field with no "max" of its own
MAX_LINES = 6  # an address, as a letter through Notify carries it: their name, then up to 6 lines, the last a postcode
LINE_MAX = 80
# Characters that change how text around them is shown (right-to-left overrides and isolates): a
# way to make an answer read differently to staff than it was typed. Refused with control characters.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")  # the shape, spaces taken out
POSTCODE_AT_END = re.compile(r"(.*?[^\s,]),?\s+([A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2})")  # a town, then a postcode


class FieldsFileError(ValueError):
    """``fields.toml`` is malformed; the message says where."""


class AboutMeError(ValueError):
    """An answer that cannot be kept. ``code`` says why (the pages have a message for each)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Option:
    code: str
    name: dict
    only: bool = False  # cannot be ticked with others ("No, nobody")


@dataclass(frozen=True)
class AboutMeField:
    code: str
    section: str
    kind: str
    label: dict
    hint: dict
    sensitive: bool
    max: int
    options: tuple[Option, ...] = ()

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)


@dataclass(frozen=True)
class Section:
    code: str
    name: dict


@cache
def _read() -> tuple[tuple[Section, ...], dict[str, AboutMeField]]:
    raw = tomllib.loads(resources.files("tracker.domain.about_me").joinpath("fields.toml").read_text(encoding="utf-8"))
    return read_fields(raw)


def read_fields(raw: dict) -> tuple[tuple[Section, ...], dict[str, AboutMeField]]:
    """The sections and fields of a parsed ``fields.toml``, checked (``FieldsFileError``)."""
    try:
        return _read_fields(raw)
    except FieldsFileError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as error:  # a missing key, a table where words belong…
        raise FieldsFileError(f"fields.toml is malformed: {error!r}") from error


def _read_fields(raw: dict) -> tuple[tuple[Section, ...], dict[str, AboutMeField]]:
    sections = tuple(Section(s["code"], _words(s, "name", f"section {s.get('code')}")) for s in raw.get("sections", []))
    section_codes = {s.code for s in sections}
    if len(section_codes) != len(sections) or not all(isinstance(c, str) and c for c in section_codes):
        raise FieldsFileError("sections: every section needs a unique code")
    fields: dict[str, AboutMeField] = {}
    for entry in raw.get("fields", []):
        code = entry.get("code", "")
        where = f"field {code!r}"
        if not re.fullmatch(r"[a-z][a-z_]{1,39}", code) or code in fields:
            raise FieldsFileError(f"{where}: a code must be unique, lower case letters and _")
        if entry.get("section") not in section_codes or entry.get("kind") not in KINDS:
            raise FieldsFileError(f"{where}: unknown section or kind")
        options = tuple(Option(o.get("code", ""), {lang: str(o.get(lang, "")).strip() for lang in LANGUAGES}, bool(o.get("only", False)))
                        for o in entry.get("options", []))
        if (any(not all(o.name.values()) or not isinstance(o.code, str) or not o.code for o in options)
                or len({o.code for o in options}) != len(options)):
            raise FieldsFileError(f"{where}: every option needs a unique code and words in {', '.join(LANGUAGES)}")
        if (entry["kind"] in ("one", "many")) != bool(options):
            raise FieldsFileError(f"{where}: options are for choices only, and choices need them")
        fields[code] = AboutMeField(code, entry["section"], entry["kind"], _words(entry, "label", where),
                                    _words(entry, "hint", where, optional=True), bool(entry.get("sensitive", False)),
                                    int(entry.get("max", TEXT_MAX)), options)
    return sections, fields


def _words(entry: dict, key: str, where: str, optional: bool = False) -> dict:
    words = entry.get(key) or {}
    if (words or not optional) and not all(str(words.get(lang, "")).strip() for lang in LANGUAGES):
        raise FieldsFileError(f"{where}: {key} needs words in {', '.join(LANGUAGES)}")
    return dict(words)


def sections() -> tuple[Section, ...]:
    return _read()[0]


def fields() -> dict[str, AboutMeField]:
    """Every field, in the order the resident sees them."""
    return _read()[1]


def field(code: str) -> AboutMeField | None:
    return fields().get(code)


def field_codes() -> tuple[str, ...]:
    return tuple(fields())


def sensitive_codes() -> frozenset[str]:
    return frozenset(code for code, spec in fields().items() if spec.sensitive)


# --- Checking an answer ---------------------------------------------------------------------------


def parse(spec: AboutMeField, *, text: str | None = None, choices: list[str] | None = None,
          hidden: list[str] | None = None, hideable: set[str] | None = None) -> dict:
    """The answer to keep for what the resident typed or ticked, or ``AboutMeError``.
    ``hideable``: for "support I already get", the referrals they may hide."""
    if spec.kind in ("one", "many"):
        chosen = list(dict.fromkeys(choices or []))
        if not chosen:
            raise AboutMeError("choose")
        if any(c not in spec.option_codes for c in chosen) or (spec.kind == "one" and len(chosen) > 1):
            raise AboutMeError("not_offered")
        only = {o.code for o in spec.options if o.only}
        if len(chosen) > 1 and only & set(chosen):
            raise AboutMeError("only")
        return {"choices": [c for c in spec.option_codes if c in chosen]}  # in the file's order
    cleaned = _clean(text or "", spec)
    if spec.kind == "support":
        hidden = sorted(set(hidden or []))
        if any(h not in (hideable or set()) for h in hidden):
            raise AboutMeError("not_offered")
        return {"text": cleaned, "hidden": hidden}
    if not cleaned:
        raise AboutMeError("empty")
    if spec.kind == "phone":
        return {"text": uk_phone(cleaned)}
    if spec.kind == "address":
        return {"lines": address_lines(cleaned)}
    if spec.kind == "text" and "\n" in cleaned:
        raise AboutMeError("one_line")
    return {"text": cleaned}


def _clean(text: str, spec: AboutMeField) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").strip()
    if any((unicodedata.category(c) == "Cc" and c not in "\n\t") or c in BIDI_CONTROLS for c in text):
        raise AboutMeError("control")
    if len(text) > spec.max:
        raise AboutMeError("too_long")
    return text


def uk_phone(text: str) -> str:
    """A UK phone number (mobile or landline), written the usual way: ``01664 502 502``,
    ``07700 900 982``. ``AboutMeError("phone")`` for anything else."""
    if re.search(r"[^0-9 ()+\-.]", text):
        raise AboutMeError("phone")
    digits = re.sub(r"[^0-9+]", "", text)
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    if "+" in digits or not re.fullmatch(r"0[1-9][0-9]{8,9}", digits):
        raise AboutMeError("phone")
    if digits.startswith("02"):  # London, Cardiff…: 020 7946 0958
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}".strip()
    if re.match(r"01(1[0-9]|[0-9]1)", digits) or digits[:2] in ("03", "08", "09"):  # 0116 496 0123, 0300 123 4567
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}".strip()
    if digits.startswith("07"):
        return f"{digits[:5]} {digits[5:8]} {digits[8:]}".strip()
    return f"{digits[:5]} {digits[5:]}"


def address_lines(text: str) -> list[str]:
    """An address as lines (blank ones dropped), at least two and at most six, the last a UK
    postcode (upper case, with its space): what a letter through Notify needs, after their name."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if len(lines) == 1 and "," in lines[0]:
        lines = [part.strip() for part in lines[0].split(",") if part.strip()]  # typed on one line, with commas
    ends_with = POSTCODE_AT_END.fullmatch(lines[-1]) if lines else None
    if ends_with is not None and POSTCODE.fullmatch(lines[-1].upper().replace(" ", "")) is None:
        lines = [*lines[:-1], ends_with.group(1), ends_with.group(2)]  # "Melton Mowbray LE13 1AA": the postcode on its own line
    if len(lines) < 2:
        raise AboutMeError("address_lines")
    if len(lines) > MAX_LINES or any(len(line) > LINE_MAX for line in lines):
        raise AboutMeError("address_long")
    postcode = POSTCODE.fullmatch(lines[-1].upper().replace(" ", ""))
    if postcode is None:
        raise AboutMeError("postcode")
    return [*lines[:-1], f"{postcode.group(1)} {postcode.group(2)}"]


# --- Keeping and reading answers ------------------------------------------------------------------


@dataclass(frozen=True)
class Entrant(Actor):
    """Who gives an answer, named as the plan's timeline names who made a change: the resident,
    or a tutor with the resident beside them."""

    with_resident: bool = False

    @classmethod
    def resident(cls, user: User) -> Entrant:
        return cls(user.id, Role.RESIDENT, user.first_name)

    @classmethod
    def tutor_with(cls, tutor: User, provider: Provider) -> Entrant:
        return cls(tutor.id, tutor.role, tutor.first_name, provider.name, True)


def answers(db: Session, resident_id: str) -> dict[str, AboutMeEntry]:
    """The answer now to each field that has one (a taken-away answer is no answer): one query."""
    latest: dict[str, AboutMeEntry] = {}
    for entry in db.exec(select(AboutMeEntry).where(AboutMeEntry.resident_id == resident_id).order_by(col(AboutMeEntry.id))).all():
        latest[entry.field] = entry
    return {code: e for code, e in latest.items() if e.value is not None or e.rather_not_say}


def save(db: Session, resident_id: str, code: str, value: dict | None, *, rather_not_say: bool = False,
         entrant: Entrant) -> AboutMeEntry | None:
    """Keep an answer (``value``), "I'd rather not say", or take an answer away (both empty).
    Read under the resident's lock, so an answer sent twice is kept once: None when it is what the
    field says already."""
    if field(code) is None:
        raise AboutMeError("no_such_field")
    lock_residents(db, [resident_id])
    current = db.exec(select(AboutMeEntry).where(AboutMeEntry.resident_id == resident_id, AboutMeEntry.field == code)
                      .order_by(col(AboutMeEntry.id).desc()).limit(1)).first()
    value = None if rather_not_say else value
    if current is None and value is None and not rather_not_say:
        return None  # nothing to take away
    if current is not None and current.value == value and current.rather_not_say == rather_not_say:
        return None
    entry = AboutMeEntry(resident_id=resident_id, field=code, value=value, rather_not_say=rather_not_say,
                         entered_at=utcnow(), entered_by_id=entrant.user_id, entered_by_role=entrant.role,
                         entered_by_name=entrant.name[:80], entered_by_provider=entrant.provider_name,
                         with_resident=entrant.with_resident)
    db.add(entry)
    db.flush()
    return entry


def changed_since(db: Session, resident_ids: list[str], fields_seen: dict[str, tuple[str, ...]],
                  seen_at: dict[str, dict[str, datetime]]) -> dict[str, list[AboutMeEntry]]:
    """For each resident, the changes to the answers an organisation may see (``fields_seen``)
    since it last saw each of them (``seen_at``: answer: time; an answer it never saw is new to
    it). One query."""
    if not resident_ids:
        return {}
    changed: dict[str, list[AboutMeEntry]] = {}
    rows = db.exec(select(AboutMeEntry).where(col(AboutMeEntry.resident_id).in_(resident_ids))
                   .order_by(col(AboutMeEntry.id))).all()
    for entry in rows:
        last = seen_at.get(entry.resident_id, {}).get(entry.field)
        if entry.field in fields_seen.get(entry.resident_id, ()) and (last is None or entry.entered_at > last):
            changed.setdefault(entry.resident_id, []).append(entry)
    return changed


def history(db: Session, resident_id: str) -> list[AboutMeEntry]:
    """Every answer the resident (or a tutor with them) gave, newest first."""
    return list(db.exec(select(AboutMeEntry).where(AboutMeEntry.resident_id == resident_id)
                        .order_by(col(AboutMeEntry.id).desc())).all())


@dataclass(frozen=True)
class SupportEntry:
    referral_id: str
    service_name: dict | None  # in every language; None for a referral to the organisation itself
    provider_name: str
    state: str
    since: datetime | None


def support_from_referrals(db: Session, resident_id: str) -> list[SupportEntry]:
    """The services the resident was referred to and that took them on (accepted, working with
    them, or finished): "support I already get", filled in for them."""
    rows = db.exec(
        select(Referral.id, DirectoryService.name, Provider.name, Referral.state, Referral.replied_at)
        .join(Provider, Provider.id == Referral.to_provider_id)
        .join(DirectoryService, DirectoryService.id == Referral.service_id, isouter=True)
        .where(Referral.resident_id == resident_id, col(Referral.state).in_([str(s) for s in SUPPORT_STATES]))
        .order_by(col(Referral.replied_at).desc())
    ).all()
    return [SupportEntry(rid, service, provider, state, replied) for rid, service, provider, state, replied in rows]


def support_shown(entry: AboutMeEntry | None, offered: list[SupportEntry]) -> list[SupportEntry]:
    """The referral-filled part of "support I already get", less what the resident hid."""
    hidden = set((entry.value or {}).get("hidden", [])) if entry is not None else set()
    return [s for s in offered if s.referral_id not in hidden]


def erase(db: Session, resident_id: str) -> None:
    """Erasure (under the erasure permit: the table is append-only otherwise)."""
    db.exec(delete(AboutMeEntry).where(AboutMeEntry.resident_id == resident_id))


def export(db: Session, resident_id: str) -> list[dict]:
    """Every answer ever given, for the resident's download."""
    return [{"field": e.field, "value": e.value, "rather_not_say": e.rather_not_say, "entered_at": e.entered_at.isoformat(),
             "entered_by": e.entered_by_name, "entered_by_role": e.entered_by_role, "entered_by_provider": e.entered_by_provider,
             "with_resident": e.with_resident} for e in reversed(history(db, resident_id))]
