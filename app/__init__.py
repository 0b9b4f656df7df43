"""The domain and its services. Imports no Qt (a test checks it); the UI builds on this package."""
