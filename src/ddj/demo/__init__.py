"""A synthetic county for demos and tests: made-up people, four systems' extracts, ground truth.

The entry point is :func:`ddj.demo.generate.generate_county`.
"""
