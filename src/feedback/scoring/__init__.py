"""Churn labels, point-in-time features, models and scores."""
