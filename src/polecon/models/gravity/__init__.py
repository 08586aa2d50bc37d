"""Gravity engine: PPML and OLS with high-dimensional fixed effects."""
