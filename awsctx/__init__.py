"""awsctx: switch AWS profiles and regions in the current shell."""

__version__ = "0.1.0"
