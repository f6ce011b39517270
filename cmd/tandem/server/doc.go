// Package server wires one Tandem node: the NATS API (embedded server or an
// external cluster), the back-to-back core, the HTTP endpoints (/healthz,
// /readyz, /metrics) and graceful shutdown. cmd/tandem runs it; the test
// harness starts it in-process.
package server
