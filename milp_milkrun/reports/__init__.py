"""Plain-text reports for the terminal and notebooks: instance summaries, check tables, solve tables."""
