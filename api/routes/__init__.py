"""One router per resource; `serve.create_app` includes them, `/v1/match` first."""
