"""The kernel's web tools, below every domain: access rules, translations, charts, logs and
the customer page frame."""
