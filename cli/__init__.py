"""The `secretome-qa` command: the one place allowed to import every stage."""
