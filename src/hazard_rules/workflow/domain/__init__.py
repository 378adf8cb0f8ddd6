"""The workflow's rules as data and pure functions: the state machine (machine.yaml), what
each action does (effects), the guards, who acts for whom (acting), the events and the
hazard state they fold into. No database, no clock."""
