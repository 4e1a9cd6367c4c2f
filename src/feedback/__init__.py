"""feedback: satisfaction surveys, complaint tickets and churn scoring for customer accounts."""
