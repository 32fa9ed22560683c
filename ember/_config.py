"""Process-wide settings that several layers read (kept in one place, no logic)."""
default_device = [None]   # None means cpu; set by set_default_device / `with device(...)`
device_stack = []
deterministic = [False]
