"""gunicorn's hooks for Fieldlog; gunicorn reads this file when started from the checkout."""


def post_worker_init(worker):
    """From the first worker only: warn when the workers would each count throttling alone."""
    app = worker.wsgi
    if worker.age == 1 and hasattr(app, "config"):  # not gunicorn's stand-in for a failed load
        from fieldlog.auth.throttle import warn_if_counted_per_process

        warn_if_counted_per_process(app, worker.cfg.workers)
