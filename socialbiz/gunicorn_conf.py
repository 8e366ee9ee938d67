"""gunicorn settings for docker-compose.yml: `gunicorn -c python:socialbiz.gunicorn_conf socialbiz.wsgi`."""

from socialbiz.gunicorn_logging import ACCESS_LOG_FORMAT

accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
logger_class = "socialbiz.gunicorn_logging.RouteOnlyLogger"
