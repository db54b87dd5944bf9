"""Overview: how the team's sends did over a period (sent, failed, pending, a line per day, the
failures by reason, by program, template and country, each bar a way into History) and one
number's story, from the outcomes the console follows by itself."""

import streamlit as st

from components.status import overview
from components.status.history_filter import HistoryFilter
from components.ui.identity import require_page
from components.ui.overview_view import (
    breakdowns,
    by_day_chart,
    by_reason,
    figures,
    filters,
    overview_export,
    period,
    since_words,
    story,
    the_sends_link,
)
from components.ui.sending import journal
from components.ui.shell import ensure_app_shell

ensure_app_shell()
identity = require_page("Overview")

st.title("Overview")
since, until, label = period()
chosen = filters(journal())
result = overview(journal(), since=since, until=until, **chosen)
st.caption(f"Sends made {since_words(since, until)}; a recipient counts on the day of its send.")
figures(result)
narrowed = HistoryFilter(since=since.timestamp(), until=until.timestamp(), **chosen)
if result.recipients:
    the_sends_link(narrowed)
    st.header("A line per day")
    by_day_chart(result)
    st.header("Failures by reason")
    by_reason(result)
    breakdowns(result, narrowed)
    overview_export(result, label)
st.divider()
st.header("One number's story")
story(journal(), identity)
