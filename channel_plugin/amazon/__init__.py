"""The Amazon side: payload parsing, the marketplace client interface and the in-process fake marketplace."""
