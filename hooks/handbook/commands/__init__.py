"""One module per ``python -m handbook`` command (see ``handbook.cli``)."""
