"""Settings: the connection in force (secrets masked), the pods, and a connection test."""

import os

import pandas as pd
import streamlit as st

from components.acoustic import POD_REGIONS, pod_base_url
from components.core.connection import ENVIRONMENT_VARIABLES, check_connection, describe_settings
from components.core.settings import console_settings
from components.core.states import ConnectionMode
from components.ui.approvals_view import approval_rule
from components.ui.connection import current_connection, read_secrets, shared_places_database
from components.ui.identity import auth_configured, require_page, role_rules, show_rule_problems
from components.ui.local_time import user_zone
from components.ui.notifications_view import notifications_panel
from components.ui.sending import journal, journal_location, notification_settings
from components.ui.shell import ensure_app_shell
from components.ui.text import md

ensure_app_shell()
identity = require_page("Settings")

st.title("Settings")
connection = current_connection()
settings = connection.settings

st.header("Connection")
if settings.mode is ConnectionMode.SANDBOX:
    st.info(
        "No Acoustic credentials are configured, so the console uses its built-in sandbox: an "
        f"Acoustic-compatible server on this machine ({settings.base_url}) that validates, "
        "answers and reports like the real API but sends nothing. Its test numbers and knobs "
        "are listed in the README.",
        icon=":material/science:",
    )
elif settings.mode is ConnectionMode.POD:
    st.warning(
        f"Connected to a real Acoustic pod ({md(settings.label)}). Sends reach real phones.",
        icon=":material/cell_tower:",
    )
else:
    st.error(
        "The Acoustic credentials are incomplete, so nothing can be sent:\n\n"
        + "\n".join(f"- {problem}" for problem in settings.problems),
        icon=":material/error:",
    )
st.dataframe(pd.DataFrame(describe_settings(settings)), hide_index=True, width="stretch")

if connection.client is not None and st.button("Test connection", icon=":material/wifi_tethering:"):
    with st.spinner("Asking Acoustic for an access token…"):
        result = check_connection(connection.client, user_zone())
    if result.ok:
        st.success(md(result.message), icon=":material/check_circle:")
    else:
        st.error(md(result.message), icon=":material/error:")

with st.expander("How to connect to a real pod"):
    st.markdown(
        "Copy `.streamlit/secrets.toml.example` to `.streamlit/secrets.toml` and fill in the "
        "`[acoustic]` section (`pod` or `base_url`, `client_id`, `client_secret`, "
        "`refresh_token`), or set these environment variables, which win over the file:"
    )
    st.code("\n".join(f"{v}=..." for v in ENVIRONMENT_VARIABLES.values()), language=None)
    st.markdown("Restart the console after changing them.")

st.header("Sending and storage")
environment = console_settings(os.environ)
for problem in environment.problems:
    st.warning(md(problem.message), icon=":material/warning:")
st.dataframe(
    pd.DataFrame(
        [
            {
                "Setting": "Requests in flight at most",
                "Value": f"{environment.max_in_flight}, "
                + (
                    "shared by every replica and process using the journal's PostgreSQL database"
                    if shared_places_database()
                    else "for this console process"
                ),
                "From": "SMS_CONSOLE_MAX_IN_FLIGHT (1 to 10)",
            },
            {
                "Setting": "Journal (every send and batch)",
                "Value": journal_location(),
                "From": "SMS_CONSOLE_DATABASE_URL, [console] database_url, or the file "
                "SMS_CONSOLE_JOURNAL / SMS_CONSOLE_DATA_DIR",
            },
            {
                "Setting": "Typed confirmation above",
                "Value": f"{environment.confirm_above:,} recipients",
                "From": "SMS_CONSOLE_CONFIRM_ABOVE",
            },
            *(
                [
                    {
                        "Setting": "Built-in sandbox's pace",
                        "Value": ", ".join(
                            f"{knob.replace('_', ' ')} {seconds:g} s"
                            for knob, seconds in environment.sandbox_pace.items()
                        ),
                        "From": "SMS_CONSOLE_SANDBOX_STATUS_DELAY, "
                        "SMS_CONSOLE_SANDBOX_DELIVERY_SECONDS",
                    }
                ]
                if environment.sandbox_pace and settings.mode is ConnectionMode.SANDBOX
                else []
            ),
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.header("Sign-in and roles")
secrets = read_secrets()
if not auth_configured(secrets):
    st.info(
        "Local mode: no `[auth]` section in `.streamlit/secrets.toml`, so there is no sign-in; "
        "the one person at this machine has every role and the console answers only on this "
        "machine. The README's Sign-in and roles section says how to add sign-in.",
        icon=":material/computer:",
    )
else:
    rules = role_rules(secrets)
    show_rule_problems(rules)
    st.caption(
        f"Roles from {md(rules.source)}. Whom people without a role are told to ask: "
        f"{md(rules.contact)}."
    )
    st.dataframe(pd.DataFrame(rules.overview()), hide_index=True, width="stretch")

st.header("Approval")
approval_rule()

st.header("Notifications")
notifications_panel(journal(), notification_settings(), identity)

st.header("Acoustic pods")
st.table(
    pd.DataFrame(
        [{"Pod": pod, "API host": pod_base_url(pod)} for pod in POD_REGIONS],
    ),
    hide_index=True,
    width="content",
)
