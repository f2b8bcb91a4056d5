"""Feedback text: language, sentiment, keywords and themes."""
