"""The yardstick: a bare Flask route rendering a 10 KB Jinja page, no database, no extensions.
Served under the same gunicorn settings as the real app so the ratio means something."""

from flask import Flask, render_template_string

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
{% for row in rows %}<p class="govuk-body">{{ loop.index }}. {{ row }}</p>
{% endfor %}</main></body></html>"""

app = Flask(__name__)
ROWS = ["Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt."] * 100


@app.get("/")
def page():
    return render_template_string(PAGE, title="A 10 KB page", rows=ROWS)
