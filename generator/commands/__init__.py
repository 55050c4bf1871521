"""One module per command; ``generator.app`` registers them."""
