"""Events between services: envelope, bus interface, Kafka and in-process buses,
outbox relay and inbox-deduplicating consumers."""
