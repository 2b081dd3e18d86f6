"""The WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from tracker import create_app

app = create_app()

# What starting made (modules, templates, the app) lives as long as the worker: out of the garbage
# collector's sight, a full collection walks only what requests made. Full collections had been a
# tenth of a big export's time (docs/benchmarks.md, "The export on 2 December, later").
gc.freeze()
