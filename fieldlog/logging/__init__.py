"""The logging blueprint."""
