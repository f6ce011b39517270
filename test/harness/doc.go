// Package harness starts a real Tandem node in-process for tests: the
// embedded NATS server on a free port with JetStream in a temporary
// directory, SIP on 127.0.0.1 port 0 (UDP and TCP), HTTP on port 0. It
// returns once everything is bound and cleans up with t.Cleanup. A Recorder
// collects the node's events from NATS and lets a test wait for one
// (Await) without sleeping.
package harness
