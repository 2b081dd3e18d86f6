"""Consent: the one place that decides what staff may see of a resident, and everything about the
resident's consents and the access log. Split by what each part does; this package re-exports them
all, so callers write ``consent.require(...)``.

- ``decision``: may this staff member see this area now? (``require``, ``open_record``,
  ``decisions_for``, ``valid_grant_clause``: the only "valid grant" rule there is)
- ``access_log``: every look recorded (``record_access``), hash-chained, and what residents see of it
- ``changes``: giving, pausing, withdrawing, renewing; every change an event plus one receipt
- ``notices``: what each organisation asks to see, and publishing new versions
- ``in_person``: a tutor recording a consent with the resident beside them
- ``switches``: the resident's own changes (saying yes, stop sharing, undo, stop all, renew)
- ``choices``: what the resident's "Who can see my plan" page shows
- ``terms``: what they share (fields, durations, errors, the chain head)
- ``caseload``: the residents a provider's staff may list (dashboards, caseload, search, CSV), logged
  (not re-exported: ``from tracker.domain.consent import caseload``)

Every staff page or fragment that shows resident data passes through ``tracker.web.guard``, which
calls ``open_record`` (lock, decide) and ``record_access`` in the same transaction, before anything
is shown. Only this package reads or writes consents (``ConsentGrant``: an import-linter contract).
"""

from tracker.domain.consent import switches
from tracker.domain.consent.access_log import (
    GROUP_WEEKS,
    OPENING_HOURS,
    LookGroup,
    LookSummary,
    about_me_seen,
    flag_look,
    last_looks,
    look_groups,
    looks_in_last_30_days,
    record_access,
    record_waiting_listed,
    unusual_looks,
    verify_chains,
)
from tracker.domain.consent.changes import (
    RECEIPT_ALPHABET,
    SYSTEM,
    Change,
    ConsentActor,
    erase_consents,
    expire_lapsed,
    find_receipt,
    fresh_grants,
    grant_states,
    live_grant,
    new_receipt_code,
    receipt_code_is_genuine,
    receipt_mac,
    repeat_receipt,
    resident_grant,
    resident_grants,
    status,
)
from tracker.domain.consent.choices import (
    ENDED_SHOWN_FOR,
    AreaChoice,
    ProviderChoices,
    about_me_shared_with,
    grants_needing_attention,
    sharing_choices,
)
from tracker.domain.consent.decision import (
    STAFF_ROLES,
    Decision,
    GrantRef,
    about_me_fields,
    areas_shared,
    decisions_for,
    json_tuple,
    modes_column,
    open_record,
    require,
    special_fields_for,
    staff_provider,
    stopped_sharing_since,
    valid_grant_clause,
)
from tracker.domain.consent.in_person import InPerson, give_in_person, recorded_by
from tracker.domain.consent.notices import (
    NOTICE_CONTENT,
    current_notice,
    current_notices,
    hold_notices,
    notice_hash,
    publish_notice,
    residents_put_on_hold,
)
from tracker.domain.consent.terms import (
    ACCESS_ENTRY_UNHASHED,
    CONSENT_EVENT_UNHASHED,
    DEFAULT_DURATION_MONTHS,
    DURATIONS_MONTHS,
    FIELD_CODES,
    LIST_ACTIONS,
    LIST_PURPOSE,
    REFERRAL_PURPOSE,
    RENEWAL_WINDOW,
    UNDO_WINDOW,
    ConsentError,
    NotShared,
    chain_head,
    fields_of,
    months_later,
)

__all__ = [
    "ACCESS_ENTRY_UNHASHED",
    "CONSENT_EVENT_UNHASHED",
    "DEFAULT_DURATION_MONTHS",
    "DURATIONS_MONTHS",
    "ENDED_SHOWN_FOR",
    "FIELD_CODES",
    "GROUP_WEEKS",
    "LIST_ACTIONS",
    "LIST_PURPOSE",
    "NOTICE_CONTENT",
    "OPENING_HOURS",
    "RECEIPT_ALPHABET",
    "REFERRAL_PURPOSE",
    "RENEWAL_WINDOW",
    "STAFF_ROLES",
    "SYSTEM",
    "UNDO_WINDOW",
    "AreaChoice",
    "Change",
    "ConsentActor",
    "ConsentError",
    "Decision",
    "GrantRef",
    "InPerson",
    "LookGroup",
    "LookSummary",
    "NotShared",
    "ProviderChoices",
    "about_me_fields",
    "about_me_seen",
    "about_me_shared_with",
    "areas_shared",
    "chain_head",
    "current_notice",
    "current_notices",
    "decisions_for",
    "erase_consents",
    "expire_lapsed",
    "fields_of",
    "find_receipt",
    "flag_look",
    "fresh_grants",
    "give_in_person",
    "grant_states",
    "grants_needing_attention",
    "hold_notices",
    "json_tuple",
    "last_looks",
    "live_grant",
    "look_groups",
    "looks_in_last_30_days",
    "modes_column",
    "months_later",
    "new_receipt_code",
    "notice_hash",
    "open_record",
    "publish_notice",
    "receipt_code_is_genuine",
    "receipt_mac",
    "record_access",
    "record_waiting_listed",
    "recorded_by",
    "repeat_receipt",
    "require",
    "resident_grant",
    "resident_grants",
    "residents_put_on_hold",
    "sharing_choices",
    "special_fields_for",
    "staff_provider",
    "status",
    "stopped_sharing_since",
    "switches",
    "unusual_looks",
    "valid_grant_clause",
    "verify_chains",
]
