"""Database access shared by the services: engines, migrations, unit of work."""
