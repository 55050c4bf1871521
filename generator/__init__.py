"""entra-rulegen: sync on-premises partner accounts to Entra ID as Guests."""

__version__ = "0.1.0"
