"""Moved to :mod:`sanctions.countries` (one country module for every layer); kept as a re-export."""

from sanctions.countries import (
    country_codes,
    normalize_country,
    to_country_code,
    to_country_codes,
)

__all__ = ["to_country_code", "to_country_codes", "country_codes", "normalize_country"]
