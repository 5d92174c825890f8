"""Program metadata: load JSON/YAML with locations, check it, convert v1 to v2."""
