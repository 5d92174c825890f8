"""The program's own package: circuits, analysis and a data file."""
