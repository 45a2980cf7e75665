"""Demo runs for tb-regloss: realistic cases, generated data, no downloads."""
