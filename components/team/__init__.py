"""People: sign-in and roles, who may serve on which address, approvals and their rules, and the
audit log."""
