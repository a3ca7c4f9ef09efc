"""sanctions: coordinated sanctions screening.

Ingests the official sanctions lists into one versioned store, screens names
against them, and compares the lists of allied jurisdictions.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
