"""What `make run` starts: the console (app.py) served by Streamlit's own ASGI server, with the
background work started with the server rather than with the first session. So a scheduled send
comes due and goes out after a restart even while no browser has the console open.

    streamlit run console.py     (app.py alone also works; its scheduler then starts with the
                                  first session)
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st

from components.ui.sending import start_background_work


@asynccontextmanager
async def with_background_work(_app: st.App) -> AsyncIterator[None]:
    start_background_work()
    yield


app = st.App("app.py", lifespan=with_background_work)
