"""The message: the one %%TAG%% mapping, rendering, segments, look-alikes, the request bodies,
preflight, the Compose summary and the listing of SMS programs."""

from components.message.draft import Draft, Summary, payloads_for, summarize
from components.message.mapping import tags
from components.message.rendering import render
from components.message.segments import count_segments

__all__ = ["Draft", "Summary", "count_segments", "payloads_for", "render", "summarize", "tags"]
