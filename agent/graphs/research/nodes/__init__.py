"""The research graph's nodes: one module per node, named as the node, each a plain function
`(state, services, runtime) -> update` under `@tracked(<its name>)`. Only `graph.py` imports them."""
