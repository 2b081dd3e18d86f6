"""gunicorn settings for Me and My Learning behind nginx (deploy/nginx/me-and-my-learning.conf).

    gunicorn -c deploy/gunicorn.conf.py wsgi:app

Environment: WEB_CONCURRENCY (workers), GUNICORN_BIND (where to listen), and the app's own
TRACKER_* settings (TRACKER_PROXY_COUNT=1 behind this nginx). tests/test_deploy.py runs this file.
"""

import os


def _cores() -> int:
    # The cores this process may use (a container or systemd CPU set can be fewer than the machine's).
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# Where nginx reaches us: loopback only (nginx is the only client), or a unix socket such as
# "unix:/run/mml/gunicorn.sock". Must match @@APP_UPSTREAM@@ in the nginx site.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: one request at a time per process. The pages are Python-bound (docs/benchmarks.md),
# so 2 per core plus one keeps the cores busy while another worker waits on the database. gthread
# workers gave erratic results on database pages here (one worker took most connections). Sync
# workers are only safe behind a buffering proxy: nginx must hold slow clients, never a worker.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)
worker_class = "sync"

# A request that takes longer than this is a bug or a stuck database: the worker is killed and
# replaced (nginx's proxy_read_timeout is a little longer, so this fires first). The largest
# provider export measured, 5,000 residents, took 4.4 s.
timeout = 30
# On a restart or stop (SIGTERM, SIGHUP), time for requests under way to finish.
graceful_timeout = 30
# Short, behind nginx. Sync workers close every connection after its response and ignore this;
# it only matters if worker_class is ever changed.
keepalive = 2

# Restart each worker after about a thousand requests (spread out, so they do not all restart at
# once): a cheap guard against slow memory growth in any library.
max_requests = 1000
max_requests_jitter = 100

# Each worker imports the app itself and so opens its own database pool: pooled connections must
# never be shared across fork(). (It also makes a graceful reload pick up new code.)
preload_app = False

# Only nginx, on this machine, may tell us the request came over https (X-Forwarded-Proto), and
# only that header counts: nginx sets it on every request, replacing what a client sent, whereas
# gunicorn's other defaults (X-Forwarded-Ssl, X-Forwarded-Protocol) would pass through untouched.
# The client's address (X-Forwarded-For) is read by the app itself (TRACKER_PROXY_COUNT=1).
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Access log on stdout (journald or the container runtime keeps it), errors on stderr.
# The client address (%(h)s) is the resident's, not nginx's: the app's ProxyFix (TRACKER_PROXY_COUNT)
# rewrites it before gunicorn writes the line. The path is logged without its query string, and
# without referrer or user agent; %(M)s is the time taken in milliseconds, and `scheme` shows that
# the app saw https (a wrong proxy setup shows as "http").
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms scheme=%({wsgi.url_scheme}e)s'
proc_name = "me-and-my-learning"

# gunicorn 25.1+ opens a control socket for `gunicornc` in $XDG_RUNTIME_DIR or ~/.gunicorn/ (one
# fixed path, so two instances on a host would share it). Nothing here uses it; systemd or the
# container runtime sends the signals instead. (Older gunicorns ignore this setting.)
control_socket_disable = True
