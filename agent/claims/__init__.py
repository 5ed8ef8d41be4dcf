"""Claims as plain functions, no LangGraph: extraction from an abstract, anchoring to the sentence a claim
rests on, merging and selection, citations, verdict aggregation, calibration, and the answer composed from
verified claims."""
