"""Languages: English and Polish. The language comes from the signed-in person's preference, then
the language they picked with the switcher, then the browser's Accept-Language."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import Babel

babel = Babel()


def supported() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    from tracker.web.templating import signed_in_user

    languages = supported()
    user = signed_in_user()
    if user is not None and user.preferred_language in languages:
        return user.preferred_language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
