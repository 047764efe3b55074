"""The HTTP API: one router per resource (`api.routes`), and its plumbing.

`serve.py` composes them into the app. `microtribe/` keeps what is not HTTP: the contract,
settings, records, API keys and the CLI.
"""
