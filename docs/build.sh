#!/usr/bin/env sh
# Build the documentation (API reference from the docstrings, the README as the home page and
# the walkthrough notebook as a page) into ${1:-site}/, with warnings as errors.
# Needs the docs extra: pip install -e '.[docs]'
set -eu
cd "$(dirname "$0")/.."
cp README.md docs/index.md
jupytext --to markdown analyses/walkthrough.py -o docs/walkthrough.md --quiet
NO_MKDOCS_2_WARNING=1 mkdocs build --strict --quiet -d "${1:-site}"
