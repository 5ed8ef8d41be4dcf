"""Finding the literature for a question: the search plan, and papers looked up by id."""
