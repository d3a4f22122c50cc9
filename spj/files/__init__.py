"""Files: strict YAML reading with locations, bounded reading, whole-or-nothing writing, located schema problems."""
