"""Satisfaction questionnaires, waves, invitations and responses."""
