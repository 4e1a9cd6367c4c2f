"""Printable feedback reports for account managers."""
