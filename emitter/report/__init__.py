"""``emitter report``: one self-contained HTML page of charts and rule results over generated data."""
