"""Portico: a self-hosted API gateway compatible with Amazon API Gateway."""

__version__ = "0.1.0"
