"""Command-line tools: write an instance, create the site, start everything."""
