"""A synthetic county for demos and tests: made-up people, the extracts of its systems in the
formats those systems really export (CSV, HUD HMIS CSV, HL7 v2 ADT, NEMSIS XML, FHIR NDJSON), and
the ground truth.

The entry point is :func:`ddj.demo.generate.generate_county`.
"""
