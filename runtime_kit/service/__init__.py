"""``runtime-kit serve``: a self-hostable runtime service speaking the legacy runtime API."""
