"""feedback: satisfaction surveys, complaint tickets and churn scoring for customer accounts."""

from __future__ import annotations

from pathlib import Path

__all__ = ["TEMPLATES_DIR"]

# The Jinja templates of pages, mail and reports ship inside the package, so an installed
# wheel finds them as a checkout does.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
