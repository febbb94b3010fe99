"""Infrastructure: the outside world the service talks to (files, mail,
calendar files, SQLite's write lock). Nothing here knows a rule of the pipeline."""
