"""Complaint tickets and their apology, investigation, resolution and follow-up steps."""
