"""Access logs, metrics and tracing."""
