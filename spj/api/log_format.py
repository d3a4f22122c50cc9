"""Server logs as JSON lines (`spj serve --log-format json`, `SPJ_LOG_FORMAT`): one object per record.

Keys: `time` (UTC, ISO 8601), `level`, `logger`, `message`, `request_id` (when logged during a request),
and the request line's `method`, `route`, `status`, `duration_ms` (`spj.api.request_log`). A record's
exception is reduced to its type: an exception's message may quote case content, and none reaches a log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
from typing import Any, Literal

from spj.api.request_log import current_request_id

LogFormat = Literal["json", "text"]
FIELDS = ("request_id", "method", "route", "status", "duration_ms")
LOGGERS = ("spj", "uvicorn.error")  # uvicorn's access log stays off: it writes raw paths


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if "request_id" not in entry and (request_id := current_request_id()) is not None:
            entry["request_id"] = request_id
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A record as one line of text, the request fields after the message; exceptions by type only."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{f}={getattr(record, f)}" for f in FIELDS if getattr(record, f, None) is not None)
        exception = f" exception={record.exc_info[0].__name__}" if record.exc_info and record.exc_info[0] else ""
        return f"{record.levelname:<7} {record.name}: {record.getMessage()} {fields}{exception}".rstrip()


def logging_config(log_format: LogFormat | str = "json", *, level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` configuration: the `spj` and uvicorn records to standard error in
    `log_format` (what `spj serve` hands uvicorn as its `log_config`)."""
    formatter = "spj.api.log_format.TextFormatter" if log_format == "text" else "spj.api.log_format.JsonFormatter"
    handler = {"class": "logging.StreamHandler", "formatter": "spj", "stream": "ext://sys.stderr"}
    logger = {"handlers": ["spj"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"spj": {"()": formatter}},
        "handlers": {"spj": handler},
        "loggers": {name: dict(logger) for name in (*LOGGERS, "uvicorn", "uvicorn.access")},
    }


def configure_logging(log_format: LogFormat | str = "json") -> bool:
    """Apply `logging_config` unless logging is set up already (a process manager's, a test's); whether it did."""
    if logging.getLogger().handlers or logging.getLogger("spj").handlers:
        return False
    logging.config.dictConfig(logging_config(log_format))
    return True
