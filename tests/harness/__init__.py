"""The test harness: how pages, snippets and the lab are seen from pytest."""
