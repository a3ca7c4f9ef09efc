"""The API's routes, one module per group: match, search and entities, system."""
