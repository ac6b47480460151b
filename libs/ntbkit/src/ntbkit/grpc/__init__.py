"""gRPC plumbing shared by every service: server bootstrap and interceptors."""
