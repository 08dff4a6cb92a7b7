"""load: the standard, the city's plan and sidecars, read and validated (YAML in, typed objects out)."""
