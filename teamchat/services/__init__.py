"""Domain actions: check_* validates, do_* changes. Services never commit."""
