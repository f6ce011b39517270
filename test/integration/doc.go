// Package integration holds Tandem's integration tests: each test starts its
// own node in-process (test/harness: embedded NATS, SIP and HTTP on port 0)
// and its own scripted phones (test/phone, real sipgo user agents on
// loopback UDP), then asserts on the SIP messages the phones receive and on
// the events the node publishes. Nothing is mocked; nothing sleeps to
// synchronise: every wait is for a message or an event, bounded by a
// timeout.
package integration
