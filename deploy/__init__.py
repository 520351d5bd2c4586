"""Local infrastructure: the Apache Kafka broker for development and tests, and deployment files."""
