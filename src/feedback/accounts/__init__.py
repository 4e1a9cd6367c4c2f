"""Accounts, contacts, purchases, tiers, staff users and their sessions."""
