"""Plain data and pure rules: what an Amazon order is, what to do with it, and why.

Nothing here touches a database, a network or pluggy, so every rule can be tested with a table of cases.
"""
