"""Tests of the team deployment (deploy/: JupyterHub for a seller's team, issue 21 part 4)."""
