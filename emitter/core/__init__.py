"""The generation core: keyed randomness, arrival curves, value pools and column builders.

Nothing here knows about files, Kafka or databases.
"""
