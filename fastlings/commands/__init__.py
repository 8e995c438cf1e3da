"""One module per command of the `fastlings` CLI; `fastlings/cli.py` only declares them."""
