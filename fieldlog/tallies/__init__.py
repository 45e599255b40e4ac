"""The tallies blueprint."""
