"""Research-graph nodes: plain functions `state -> update`, one module per stage."""
