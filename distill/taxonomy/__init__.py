"""Data files shipped with Distill: the default technology list (and the category taxonomy).

A package (rather than a bare folder) so `importlib.resources.files("distill.taxonomy")`
finds the files both from a source checkout and from an installed wheel.
"""
