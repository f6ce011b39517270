// Package gruu mints and opens Tandem's Globally Routable User Agent URIs
// (RFC 5627; DESIGN.md §4) without storing anything: every token is an
// authenticated encryption (AES-256-GCM) of what it routes to, under a node
// key that all nodes of a deployment share. Any node holding the key opens
// any token (lease draft REQ 8: no state per GRUU); nobody else learns
// anything from one (REQ 9: the plaintext is encrypted, each mint uses a
// fresh nonce so two GRUUs for the same target look unrelated), and a
// tampered, truncated or foreign token fails to open.
//
// Three kinds of GRUU are handled here:
//
//   - Leg GRUUs, the Contact the core puts on each of its legs:
//     sip:<token>@host;gr, where the token (MintLeg) encodes the node, the
//     call id, the leg id, a generation and an optional expiry (LegRef).
//     OpenLeg gives the LegRef back; the core then routes to that leg or
//     answers 404 when the leg has ended (temporal scope).
//   - Temporary GRUUs handed out by the registrar (RFC 5627 §3.2):
//     sip:<token>@domain;gr, where the token (MintTemp) encodes the AOR, a
//     digest of the +sip.instance, a digest of the REGISTER's Call-ID, the
//     first CSeq seen with that Call-ID and the CSeq of the minting REGISTER.
//     The registrar keeps, per instance binding, only its current Call-ID and
//     first CSeq; a temp-gruu is valid while they match (TempRef.Valid), so a
//     REGISTER with a new Call-ID invalidates every earlier temp-gruu of that
//     instance at once (the "crude bulk invalidation" of the GRUU-12 slides)
//     while refreshes with the same Call-ID keep them all valid.
//   - Public GRUUs (PubGRUU): the AOR with gr=<instance URN>, stable for an
//     instance and not secret.
//
// Token text is a kind letter ('l' leg, 't' temp) followed by unpadded
// lower-case base32 (RFC 4648 alphabet), so it is safe in a SIP URI user
// part, survives case folding and never needs escaping. Its length is
// bounded: MaxLegTokenLen and MaxTempTokenLen.
//
// AES-GCM with random 96-bit nonces must not seal more than about 2^32
// tokens under one key; rotate the key (NewMinter's WithPreviousKeys keeps
// the old ones able to open) long before that.
package gruu
