// Package interop runs Tandem against third-party SIP user agents, real
// programs with their own SIP stacks, next to the scripted phones of
// test/phone and an in-process node from test/harness.
//
// baresip (Debian package baresip, 1.0.0 here) runs headless: its own
// configuration directory (-f) with no audio device (the aubridge module
// loops its player into its source), SIP on a free loopback port, no
// registration, calls answered automatically, and the ctrl_tcp module as
// the control interface. The tests send it menu commands (dial, transfer,
// hangup...) as JSON in netstrings over TCP and wait for the events it
// reports on the same connection (CALL_ESTABLISHED, CALL_CLOSED...), never
// for time to pass. A missing baresip fails the tests; it is never a
// reason to skip them (.ci/run installs it).
//
// Tests:
//
//	TestBaresipTransferor  a phone calls baresip through Tandem; baresip
//	                       transfers it (its /transfer command, an in-dialog
//	                       REFER) to a second phone
//	TestBaresipTransferee  baresip calls a phone through Tandem, which
//	                       transfers it (REFER) to a second phone
//	TestBaresipTarget      a phone transfers its caller to baresip, which
//	                       Tandem calls without an offer
//	TestBaresipClickToDial baresip registers with Tandem; phones.refer asks it
//	                       to call a phone: baresip 1.0.0 answers the REFER
//	                       501, and with fallback "originate" Tandem calls it
//	                       (Answer-Mode: Auto), then the phone, and bridges
package interop
