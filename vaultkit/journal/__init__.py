"""Writing a note: plan, templates, the note's text, asking, drafts."""
