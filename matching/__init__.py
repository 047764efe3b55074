"""Matching: catalog store and versions, FAISS retrieval, filters, the match pipeline."""
