"""Demo data: a seeded simulation of a customer base and the `feedback demo` command."""
