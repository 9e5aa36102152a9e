"""The request log's redaction and JSON lines: no token, password or PIN survives."""

from __future__ import annotations

import json
import logging

from sync_server.common.request_log import JsonFormatter, RedactFilter, redact


def test_redact_blanks_secret_parameters_and_bearer_tokens_only() -> None:
    line = (
        "/ws/demo/kitchen/1/?station=grill&token=eyJ.abc-123&access_token=x1 ticket=Tk9 "
        'password=hunter2 {"pin": "1234"} Authorization: Bearer eyJhbGciOi.x.y code=ok'
    )
    cleaned = redact(line)
    for secret in ("eyJ.abc-123", "x1 ", "Tk9", "hunter2", "1234", "eyJhbGciOi.x.y"):
        assert secret not in cleaned
    assert "station=grill" in cleaned and "code=ok" in cleaned
    assert cleaned.count("[redacted]") == 6


def test_a_uvicorn_style_record_is_redacted_before_formatting_as_json() -> None:
    record = logging.makeLogRecord(
        {
            "name": "uvicorn.error",
            "msg": '%s - "WebSocket %s" [accepted]',
            "args": ("127.0.0.1:5000", "/ws/demo/kitchen/1/?token=s3cr3t&station=bar"),
            "levelname": "INFO",
        }
    )
    assert RedactFilter().filter(record)
    payload = json.loads(JsonFormatter().format(record))
    assert "s3cr3t" not in payload["message"]
    assert payload["message"].endswith('?token=[redacted]&station=bar" [accepted]')
    assert payload["logger"] == "uvicorn.error" and payload["level"] == "INFO"
