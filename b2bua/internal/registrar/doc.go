// Package registrar is Tandem's registrar and location service (RFC 3261
// §10 with the corrections made between bis-09 and the RFC), aware of
// outbound flows (RFC 5626) and handing out GRUUs (RFC 5627) minted by
// package gruu, with digest authentication (RFC 8760: SHA-256 and MD5,
// qop=auth) and the reg event package with its GRUU extension (RFC 3680,
// RFC 5628).
//
// # REGISTER
//
// Process takes a REGISTER and returns the response to send (Result: code,
// reason, headers), the binding changes it applied and their events. It
// follows RFC 3261 §10.3 step by step: the Request-URI's domain (404), the
// Require header (420 with Unsupported), authentication (401 challenges,
// one per algorithm, SHA-256 first; 403 for a source that failed too
// often), the AOR in canonical form from To (404 outside the domain), the
// user's right to it (403), the Contacts, the update, the 2xx with every
// binding. The bis-09 corrections, one by one:
//
//   - processing is atomic: every check happens before the store changes,
//     and the change itself is one Store.Update transaction; any error
//     (an out-of-order CSeq for one binding, a bad or too brief expiry on
//     any Contact) leaves every binding as it was;
//   - Contact: * is accepted only alone and with Expires: 0 (else 400),
//     and an out-of-order CSeq on any binding aborts it too (500);
//   - a binding refreshed with the same Call-ID and a CSeq not above its
//     last one is out of order: 500, nothing changes;
//   - no Expires header and no expires parameter means the server
//     chooses (Config.DefaultExpires); a requested expiry is never
//     lengthened, only shortened to Config.MaxExpires; a non-zero one below
//     Config.MinExpires gets 423 with Min-Expires;
//   - expiries up to 2^32-1 seconds are valid (larger ones are taken as
//     2^32-1), then shortened to the maximum;
//   - q-values rank the bindings of the AOR (the location service's
//     scope, not the request's): Lookup orders by q, then recency.
//
// A Contact with +sip.instance is identified by its instance and reg-id
// (RFC 5626 §6), or by its instance alone when it has no reg-id, so that
// the most recent Contact of an instance replaces the previous one (the
// GRUU-12 slides); a Contact without instance by its URI (RFC 3261
// §19.1.4's significant parts). Contact URIs are stored exactly as
// registered and never rewritten; one carrying gr (a GRUU) gets no GRUU
// processing.
//
// # GRUUs
//
// GRUU processing applies only to Contacts with +sip.instance, a non-zero
// expiry, no gr parameter, in a REGISTER with Supported: gruu. The 2xx then
// carries, for each such binding, pub-gruu (AOR;gr=<instance>) and a new
// temp-gruu, a stateless token of package gruu bound to the binding's
// Call-ID and the first CSeq of that Call-ID. The binding keeps only those
// two values: a REGISTER with another Call-ID invalidates every temp-gruu
// handed out before, refreshes with the same Call-ID keep them all valid.
// Resolve and LookupGRUU route a GRUU to exactly one binding or report
// ErrNotFound (404), never to the AOR's other contacts.
//
// # Store
//
// Store is the location service. MemStore keeps bindings in this process;
// KVStore in a JetStream KV bucket (one key per AOR, updated with
// compare-and-set), watched so every node has them at hand, and
// persistent across restarts. Run sweeps expired bindings on time (Clock)
// and publishes one binding expired event per binding, once across all
// nodes.
//
// # Authentication
//
// Nonces are stateless (HMAC under a key derived from the GRUU node key,
// with their issue time), so every node checks every node's nonces; past
// Config.Auth.NonceTTL they are answered with stale=true. Replays are
// refused by remembering the last nonce-count of each live nonce, in a
// bounded table that refuses what it forgot. Failed attempts spend a
// token bucket per source address (Config.Auth.FailBurst and
// FailInterval); an empty bucket gets 403 without its credentials being
// checked, counted in tandem_registrar_auth_throttled_total.
//
// # reg event
//
// RegEventSubscription builds the application/reginfo+xml documents of one
// subscription (full state for each SUBSCRIBE, partial state for each
// change), numbered per subscription; MayWatch says who may subscribe (the
// AOR's owner, or Config.Watchers); Authenticate checks the SUBSCRIBE's
// credentials like a REGISTER's.
//
// Logging goes to the injected log/slog logger; credentials never reach it.
package registrar
