"""Local format overrides (settings.FORMAT_MODULE_PATH).

A date or datetime input (``<input type=date>``, ``datetime-local``) takes only ISO values; Django's
zh-Hans formats render form values as 2026/06/17 first, which such an input rejects, so the form came up
empty (issue 11: the acceptance form's date). ISO comes first here; the other zh-Hans ways of writing a
date are still read.
"""
