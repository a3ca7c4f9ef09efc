"""One module per page type; each has a ``router`` mounted under ``/ui``."""
