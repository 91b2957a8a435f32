"""DGA family plug-ins: every module here is imported by the registry and registers one family."""
