// Package phone is a scripted SIP phone for tests: a real sipgo user agent
// on 127.0.0.1, UDP, port 0, that a test drives step by step against a
// running Tandem node. It is the "real peer" of the integration tests, not a
// mock: every message crosses loopback UDP.
//
// A test places calls with [Phone.Invite] and reads the responses in order
// from the returned [Call]; it takes calls with [Phone.NextInvite] and
// answers them through [Incoming]. Both embed a [Dialog]: in-dialog requests
// the phone receives (ACK, BYE, re-INVITE, INFO, CANCEL...) queue there in
// arrival order for [Dialog.NextRequest], and each one waits for the test to
// answer it explicitly with [ServerRequest.Respond] (ACK and CANCEL need no
// answer). Requests the phone sends in a dialog return a [ClientTx] whose
// responses are read the same way as the call's.
//
// What the phone does by itself, and nothing more: 100 Trying when sipgo's
// timer sends it, 200 and 487 to a CANCEL that matches a pending INVITE
// (sipgo), ACK for non-2xx finals (sipgo), the same To-tag on every response
// to one INVITE, ACK re-sent on a retransmitted 2xx once the test has sent
// it, 481 to requests for unknown dialogs, 200 to out-of-dialog OPTIONS and
// 405 to any other out-of-dialog request. Every request received is recorded
// ([Phone.Received]).
//
// [Raw] is a plain UDP socket for malformed input.
package phone
