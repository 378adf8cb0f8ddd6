"""Where and when: the local settings, the work calendar, the administrative-code tree and
the industry → department table, and the deadlines a step starts from them."""
