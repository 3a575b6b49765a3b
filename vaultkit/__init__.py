"""vaultkit: integration journaling in a folder of markdown notes."""

__version__ = "0.2.0"
