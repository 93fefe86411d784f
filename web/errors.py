"""Error pages in Swedish; under /api/ the same errors are JSON `{"error": "..."}`."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# status -> (title, explanation)
MESSAGES_SV = {
    400: ("Felaktig begäran", "Begäran kunde inte tolkas."),
    403: ("Åtkomst nekad", "Du har inte behörighet att se den här sidan."),
    404: ("Sidan finns inte", "Sidan eller dokumentet du söker finns inte. "
          "Kontrollera adressen eller gör en ny sökning."),
    405: ("Metoden är inte tillåten", "Den här adressen går inte att använda på det sättet."),
    413: ("Filen är för stor", "Filen är större än vad som får laddas upp."),
    500: ("Något gick fel", "Ett oväntat fel inträffade. Försök igen om en stund. "
          "Kvarstår felet, kontakta FoU-enheten."),
}


def _message(status: int) -> tuple[str, str]:
    return MESSAGES_SV.get(status) or MESSAGES_SV[500 if status >= 500 else 400]


def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def handle_http_error(err: HTTPException):
    status = err.code or 500
    title, text = _message(status)
    if _wants_json():
        response = jsonify({"error": f"{title}."})
        response.status_code = status
    else:
        try:
            body = render_template("error.html", status=status, title=title, text=text)
        except Exception:  # noqa: BLE001 - the error page itself must not fail
            log.exception("rendering the error page failed")
            body = (f'<!doctype html><html lang="sv"><meta charset="utf-8">'
                    f"<title>{title}</title><h1>{title}</h1><p>{text}</p></html>")
        response = err.get_response()
        response.set_data(body)
        response.mimetype = "text/html"
    if status == 405 and err.valid_methods:
        response.headers["Allow"] = ", ".join(err.valid_methods)
    return response


def register(app: Flask) -> None:
    # Flask has already logged an unhandled exception when it reaches the 500 handler.
    app.register_error_handler(HTTPException, handle_http_error)
