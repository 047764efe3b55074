"""`python -m microtribe` runs the command line."""

from microtribe.cli import app

app(prog_name="microtribe")
