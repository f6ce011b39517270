// Package sipp holds the SIPp scenarios that exercise a real tandem binary
// from the outside, and the tests that run them.
//
// The scenarios (*.xml) are plain SIPp files usable by hand and by the load
// script in test/load:
//
//	uac_basic   INVITE with SDP, 100/180/183 optional, 200, ACK, hold -d ms, BYE, 200
//	uac_long    the same call flow, for load tests with long holds
//	uac_cancel  INVITE, 180, CANCEL, 200 and 487 in either order, ACK
//	uac_busy    INVITE, 486, ACK
//	uas_answer  INVITE, 180, 200 with SDP, ACK, BYE, 200
//	uas_ring    INVITE, 180, CANCEL, 200, 487, ACK (never answers)
//	uas_busy    INVITE, 486, ACK
//	uac_register          REGISTER, 401, REGISTER with digest, 200; the same with Expires: 0
//	uac_register_badauth  REGISTER, 401, REGISTER with wrong credentials, 401 (or 403 once throttled)
//	uac_transferee        INVITE with SDP, 200, ACK; the re-INVITE with the target's offer answered; BYE
//	uas_transferor        answers, sends REFER (Refer-To the target, Referred-By), 202, NOTIFY 100/180/200 answered, BYE
//	uas_transferor_nosub  the same with Refer-Sub: false: 200 with Refer-Sub: false, no NOTIFY, BYE
//	uas_target            INVITE without SDP, 180, 200 with an offer, ACK with the transferee's answer, BYE
//
// SIPp 3.6.1 answers only MD5 challenges and signs sip:<remote>:<port> by
// default: the registration tests configure registrar.auth.algorithms [MD5]
// and pass -auth_uri with the domain.
//
// The tests (sipp_test.go) build ./cmd/tandem once (or take $SIPP_TANDEM_BIN), then for each case start
// the binary with a generated configuration on free loopback ports, a SIPp
// UAS behind it and a SIPp UAC in front of it, check SIPp's exit codes and
// message counts, and check that tandem exits 0 on SIGTERM. They need the
// sipp binary (Debian package sip-tester) and fail without it.
package sipp
