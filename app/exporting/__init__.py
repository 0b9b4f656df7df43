"""Writing Excel files people print and send on: formatting, print setup, safe cell text."""
