"""The deployment as operators see it: health of the database, broker and workers; backlogs."""
