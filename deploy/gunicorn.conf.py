"""gunicorn settings for Xiezuo (`gunicorn -c deploy/gunicorn.conf.py`).

Threads, not more processes: pages mostly wait on the database, and each process holds the
code once. Imports and assessment runs go to the task worker (`xiezuo worker`), never here.
"""

import multiprocessing
import os

wsgi_app = "xiezuo.wsgi:application"
bind = os.environ.get("XIEZUO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("XIEZUO_WEB_WORKERS", str(min(4, multiprocessing.cpu_count() + 1))))
threads = int(os.environ.get("XIEZUO_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 120  # an upload of a large ledger file
graceful_timeout = 30
# Longer than a client's pause between requests on one connection, so the server does not
# close a kept-alive connection just as the client sends on it (a reset for the client).
keepalive = int(os.environ.get("XIEZUO_WEB_KEEPALIVE", "5"))
# No recycling by request count: a recycled worker resets the keep-alive connections it holds.
max_requests = 0
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("XIEZUO_FORWARDED_ALLOW_IPS", "127.0.0.1")
umask = 0o077
