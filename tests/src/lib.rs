//! swarm-e2e
