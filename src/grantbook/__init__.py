"""grantbook: who may use which government application for which school, until when."""

__version__ = "0.1.0"
