"""Helpers shared by the tests: fictional libraries, a pty runner, a stand-in arXiv API."""
