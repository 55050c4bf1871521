"""One module per command; ``generator.cli`` registers them."""
