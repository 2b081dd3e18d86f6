"""The directory's two lists of terms, read from ``data/taxonomies.toml``: what a service can help
with (needs, each with the catalogue goals it helps with) and who a service is for
(circumstances). ``sync_taxonomies`` brings the database's taxonomies in line with the file; the
goal-to-needs links stay in the file (read once per process), since they are the partnership's
data, not something anyone edits in the service.

Terms are never deleted: services are tagged with them and other directories may hold their ids.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlmodel import Session, col, select

from tracker.models import ServiceTerm, Taxonomy, TaxonomyTerm

NEEDS, CIRCUMSTANCES = "needs", "circumstances"
KINDS = (NEEDS, CIRCUMSTANCES)
LANGUAGES = ("en", "pl")
CODE = re.compile(r"[a-z][a-z0-9-]{1,60}")


class TaxonomyFileError(ValueError):
    """The data file is malformed; the message says where."""


@dataclass(frozen=True)
class TermSpec:
    code: str
    name: dict
    goals: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaxonomySpec:
    kind: str
    name: str
    description: str
    uri: str
    version: str
    terms: tuple[TermSpec, ...]

    def term_uri(self, code: str) -> str:
        """``urn:me-and-my-learning:taxonomy:needs`` → ``urn:me-and-my-learning:needs:debt``."""
        return f"{self.uri.rsplit(':taxonomy:', 1)[0]}:{self.kind}:{code}"


def _read(text: str) -> dict[str, TaxonomySpec]:
    document = tomllib.loads(text)
    found = {}
    for kind in KINDS:
        raw = document.get(kind)
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) and raw[k] for k in ("name", "description", "uri", "version")):
            raise TaxonomyFileError(f"[{kind}] needs a name, description, uri and version")
        terms, codes = [], set()
        for term in raw.get("terms", []):
            code = term.get("code", "")
            where = f"{kind} term {code!r}"
            if not CODE.fullmatch(code) or code in codes:
                raise TaxonomyFileError(f"{where}: codes are lowercase words joined by hyphens, and unique")
            codes.add(code)
            name = term.get("name")
            if not isinstance(name, dict) or any(not isinstance(name.get(lang), str) or not name[lang].strip() for lang in LANGUAGES):
                raise TaxonomyFileError(f"{where}: needs a name in {', '.join(LANGUAGES)}")
            goals = term.get("goals", [])
            if kind != NEEDS and goals:
                raise TaxonomyFileError(f"{where}: only needs list goals")
            terms.append(TermSpec(code, {lang: name[lang].strip() for lang in LANGUAGES}, tuple(goals)))
        found[kind] = TaxonomySpec(kind, raw["name"], raw["description"], raw["uri"], raw["version"], tuple(terms))
    return found


@cache
def read_taxonomies() -> dict[str, TaxonomySpec]:
    """Both lists, checked (read once per process: the file ships with the code)."""
    return _read(resources.files("tracker.domain.catalogue").joinpath("data", "taxonomies.toml").read_text(encoding="utf-8"))


@cache
def needs_of_goal(goal_code: str) -> tuple[str, ...]:
    """The codes of the needs a catalogue goal helps with, in the file's order."""
    return tuple(term.code for term in read_taxonomies()[NEEDS].terms if goal_code in term.goals)


def sync_taxonomies(db: Session) -> int:
    """Bring the database's two taxonomies and their terms in line with the file (not committed):
    names follow the file; terms left out of it stay. Returns how many terms were added."""
    added = 0
    for spec in read_taxonomies().values():
        taxonomy = db.exec(select(Taxonomy).where(Taxonomy.name == spec.name)).first()
        if taxonomy is None:
            taxonomy = Taxonomy(name=spec.name, description=spec.description, uri=spec.uri, version=spec.version)
        taxonomy.description, taxonomy.uri, taxonomy.version = spec.description, spec.uri, spec.version
        db.add(taxonomy)
        db.flush()
        known = {term.code: term for term in db.exec(select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id == taxonomy.id)).all()}
        for term_spec in spec.terms:
            term = known.get(term_spec.code)
            if term is None:
                term = TaxonomyTerm(taxonomy_id=taxonomy.id, code=term_spec.code)
                added += 1
            term.name, term.term_uri = dict(term_spec.name), spec.term_uri(term_spec.code)
            db.add(term)
    db.flush()
    return added


def term_ids(db: Session, kind: str, codes) -> dict[str, str]:
    """code → term id, for the given codes of one list that are in the database."""
    codes = list(codes)
    if not codes:
        return {}
    rows = db.exec(select(TaxonomyTerm.code, TaxonomyTerm.id).join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
                   .where(Taxonomy.name == read_taxonomies()[kind].name, TaxonomyTerm.code.in_(codes))).all()
    return dict(rows)


def tags_of(db: Session, service_ids) -> dict[str, dict[str, list[str]]]:
    """service id → {"needs": [codes], "circumstances": [codes]}: the terms of our two lists each
    service is tagged with, in the file's order (one query). Terms of other directories' lists
    (esdNeeds, from an import) are not ours, and are left out; so is a code the file no longer has."""
    ids = list(service_ids)
    found: dict[str, dict[str, list[str]]] = {service_id: {kind: [] for kind in KINDS} for service_id in ids}
    if not ids:
        return found
    specs = read_taxonomies()
    kinds = {spec.name: kind for kind, spec in specs.items()}
    rows = db.exec(select(ServiceTerm.service_id, Taxonomy.name, TaxonomyTerm.code)
                   .join(TaxonomyTerm, TaxonomyTerm.id == ServiceTerm.term_id)
                   .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
                   .where(col(ServiceTerm.service_id).in_(ids), col(Taxonomy.name).in_(list(kinds)))).all()
    tagged: dict[tuple[str, str], set[str]] = {}
    for service_id, taxonomy, code in rows:
        tagged.setdefault((service_id, kinds[taxonomy]), set()).add(code)
    for (service_id, kind), codes in tagged.items():
        found[service_id][kind] = [term.code for term in specs[kind].terms if term.code in codes]
    return found
