"""Logs, traces and metrics, set up once for every service."""
