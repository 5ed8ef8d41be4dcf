"""The assistant served to other programs over the Model Context Protocol (`agent mcp`)."""
