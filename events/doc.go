// Package events is Tandem's wire contract: the event, command and decision
// types that cross NATS between the core and its plugins, the subjects they
// travel on, and the numeric error codes of command replies.
//
// The Go structs here are the source of truth. JSON is the wire format; the
// JSON Schemas under schema/ are generated from these structs (go generate)
// and a golden test keeps them in step. Versions live in the type string and
// the Go name (CallAnsweredV1, "tandem.call.v1.answered"); additive changes
// keep v1.
//
// Every event embeds an Envelope with a per-call sequence number, so a
// consumer can order a call's events and notice a gap.
//
// This package imports only the standard library.
package events
