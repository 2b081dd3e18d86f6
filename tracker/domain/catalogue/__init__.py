"""The goal catalogue: versioned data files in ``data/`` (one TOML file per area), loaded into the
database by ``flask --app tracker catalogue sync``.

Goals and steps are never deleted. A goal or step marked ``retired = true`` (or a step left out of
its goal) stops being offered, but plans that use it keep working. A goal whose ``version`` in the
file is not newer than the database's is left alone, so later edits made in the database win.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

from sqlmodel import Session, select

from tracker.clock import utcnow
from tracker.domain.catalogue.taxonomies import sync_taxonomies
from tracker.models import Area, CatalogueGoal, CatalogueStep

LANGUAGES = ("en", "pl")
MIN_STEPS, MAX_STEPS = 3, 6


class CatalogueError(ValueError):
    """A data file is malformed; the message says which goal and what is wrong."""


@dataclass(frozen=True)
class StepSpec:
    code: str
    text: dict
    retired: bool = False


@dataclass(frozen=True)
class GoalSpec:
    code: str
    area: str
    version: int
    framework: str
    framework_area: str
    title: dict
    summary: dict
    keywords: dict
    retired: bool
    steps: list[StepSpec] = field(default_factory=list)


def _texts(raw, where: str) -> dict:
    if not isinstance(raw, dict) or any(not isinstance(raw.get(lang), str) or not raw[lang].strip() for lang in LANGUAGES):
        raise CatalogueError(f"{where}: needs text in {', '.join(LANGUAGES)}")
    return {lang: raw[lang].strip() for lang in LANGUAGES}


def read_catalogue() -> list[GoalSpec]:
    """Every goal in the data files, in file order, checked."""
    goals: list[GoalSpec] = []
    codes: set[str] = set()
    folder = resources.files("tracker.domain.catalogue").joinpath("data")
    for area in Area:
        document = tomllib.loads(folder.joinpath(f"{area}.toml").read_text(encoding="utf-8"))
        if document.get("area") != area:
            raise CatalogueError(f"{area}.toml: area must be {area!r}")
        for raw in document.get("goals", []):
            code = raw.get("code", "")
            where = f"{area}.toml goal {code!r}"
            if not code.startswith(f"{area}.") or code in codes:
                raise CatalogueError(f"{where}: codes start with the area and are unique")
            codes.add(code)
            steps = []
            for raw_step in raw.get("steps", []):
                step_code = raw_step.get("code", "")
                if not step_code.startswith(f"{code}.") or step_code in codes:
                    raise CatalogueError(f"{where} step {step_code!r}: codes start with the goal's and are unique")
                codes.add(step_code)
                steps.append(StepSpec(step_code, _texts(raw_step.get("text"), f"{where} step {step_code}"), bool(raw_step.get("retired", False))))
            offered = [s for s in steps if not s.retired]
            if not raw.get("retired") and not MIN_STEPS <= len(offered) <= MAX_STEPS:
                raise CatalogueError(f"{where}: a goal offers {MIN_STEPS} to {MAX_STEPS} steps, not {len(offered)}")
            keywords = raw.get("keywords", {})
            goals.append(
                GoalSpec(
                    code=code,
                    area=area,
                    version=int(raw.get("version", 1)),
                    framework=raw.get("framework", ""),
                    framework_area=raw.get("framework_area", ""),
                    title=_texts(raw.get("title"), where),
                    summary=_texts(raw.get("summary"), where),
                    keywords={lang: [str(k).lower() for k in keywords.get(lang, [])] for lang in LANGUAGES},
                    retired=bool(raw.get("retired", False)),
                    steps=steps,
                )
            )
    return goals


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    retired: int = 0
    terms_added: int = 0

    def __str__(self) -> str:
        return (f"Catalogue: {self.added} goals added, {self.updated} updated, {self.retired} retired; "
                f"{self.terms_added} directory terms added.")


def sync_catalogue(db: Session, specs: list[GoalSpec] | None = None) -> SyncReport:
    """Bring the database's catalogue in line with the data files (not committed)."""
    specs = read_catalogue() if specs is None else specs
    now = utcnow()
    report = SyncReport()
    existing = {goal.code: goal for goal in db.exec(select(CatalogueGoal)).all()}
    steps_by_goal: dict[int, dict[str, CatalogueStep]] = {}
    for step in db.exec(select(CatalogueStep)).all():
        steps_by_goal.setdefault(step.goal_id, {})[step.code] = step

    positions: dict[str, int] = {}
    for spec in specs:
        position = positions[spec.area] = positions.get(spec.area, 0) + 1
        goal = existing.get(spec.code)
        if goal is None:
            goal = CatalogueGoal(code=spec.code, area=spec.area, version=0, title={}, summary={}, keywords={})
            report.added += 1
        elif spec.version <= goal.version:
            continue
        else:
            report.updated += 1
        was_retired = goal.retired_at is not None
        goal.version = spec.version
        goal.position = position
        goal.framework, goal.framework_area = spec.framework, spec.framework_area
        goal.title, goal.summary, goal.keywords = spec.title, spec.summary, spec.keywords
        goal.retired_at = (goal.retired_at or now) if spec.retired else None
        goal.updated_at = now
        if spec.retired and not was_retired:
            report.retired += 1
        db.add(goal)
        db.flush()
        known = steps_by_goal.get(goal.id, {})
        in_file = set()
        for step_position, step_spec in enumerate(spec.steps, start=1):
            in_file.add(step_spec.code)
            step = known.get(step_spec.code) or CatalogueStep(goal_id=goal.id, code=step_spec.code, text={})
            step.position = step_position
            step.text = step_spec.text
            step.retired_at = (step.retired_at or now) if step_spec.retired else None
            db.add(step)
        for code, step in known.items():
            if code not in in_file and step.retired_at is None:
                step.retired_at = now
                db.add(step)
    db.flush()
    report.terms_added = sync_taxonomies(db)  # (the needs a goal helps with, and what the directory's services are tagged with)
    return report


# --- Reading and searching -------------------------------------------------------------------


def localise(texts: dict | None, locale: str) -> str:
    """The text in ``locale``, else English, else whatever there is ("und": a resident's own words)."""
    if not texts:
        return ""
    return texts.get(locale) or texts.get("en") or texts.get("und") or next(iter(texts.values()))


def _fold(text: str) -> str:
    """Lower case without accents, so "zloty" finds "złoty" and "cv" finds "CV"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(goal: CatalogueGoal, steps: list[CatalogueStep], query: str, locale: str) -> bool:
    """True when every word of ``query`` appears in the goal's words (this language or English)."""
    words = _fold(query).split()
    if not words:
        return True
    haystack = " ".join(
        [localise(goal.title, locale), localise(goal.summary, locale), goal.title.get("en", ""),
         " ".join(goal.keywords.get(locale, [])), " ".join(goal.keywords.get("en", []))]
        + [localise(step.text, locale) for step in steps]
    )
    folded = _fold(haystack)
    return all(word in folded for word in words)
