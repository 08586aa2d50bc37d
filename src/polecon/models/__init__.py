"""Estimators: gravity (PPML/OLS with high-dimensional fixed effects) and adoption models."""
