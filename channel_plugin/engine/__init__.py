"""The import engine: carries the domain rules' answers into storage and the host, a page at a time."""
