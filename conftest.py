"""pytest's entry point for the repository: the page runner (which also applies the tiers' CI policy)."""
pytest_plugins = ['tests.harness.runner', 'pytester']
