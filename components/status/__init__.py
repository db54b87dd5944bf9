"""What happened: status look-ups, insights and charts, failures explained, progress and History,
outcomes followed in the background (follow.py), and the Overview across sends with one number's
story (period_figures.py)."""

from components.status.period_figures import Overview, StoryEntry, number_story, overview

__all__ = ["Overview", "StoryEntry", "number_story", "overview"]
