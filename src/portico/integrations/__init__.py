"""Integrations: MOCK, HTTP/HTTP_PROXY, Lambda, AWS services."""
