"""The domain and its services. Imports no Qt (a test checks it); the UI builds on this package."""

__version__ = "0.1.0"
