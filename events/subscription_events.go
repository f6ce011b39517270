package events

// Event types of subscriptions a plugin serves: a SUBSCRIBE to an event
// package the core does not serve itself (not reg) that a plugin accepted
// on DecideSubscribe. Each subscription is its own dialog with one
// SUBSCRIBE usage (RFC 5057); the plugin sends its NOTIFYs on it with
// legs.request, naming it by its id.
//
// They belong to no call: their envelope's call_id is empty, leg_id is the
// subscription's id (the LegID of the SubscribeRequestV1 that was asked),
// and seq counts one subscription's events from 1. They travel on
// NodeEventSubject, under EventPrefix, so Stream keeps them with the call
// events.
const (
	TypeSubscriptionCreatedV1   = "tandem.subscription.v1.created"   // the core answered 200 to the SUBSCRIBE
	TypeSubscriptionRefreshedV1 = "tandem.subscription.v1.refreshed" // the subscriber refreshed it, or unsubscribed (expires 0)
	TypeSubscriptionEndedV1     = "tandem.subscription.v1.ended"     // it is over; NOTIFYs on it get ErrUnknownLeg
)

// Why a subscription ended, in SubscriptionEndedV1.Reason.
const (
	// SubscriptionExpired: it reached its expiry without a refresh, or it
	// was a fetch (Expires: 0 in the SUBSCRIBE).
	SubscriptionExpired = "expired"
	// SubscriptionUnsubscribed: the subscriber sent SUBSCRIBE with Expires: 0.
	SubscriptionUnsubscribed = "unsubscribed"
	// SubscriptionTerminated: the plugin sent a NOTIFY whose
	// Subscription-State is terminated.
	SubscriptionTerminated = "terminated"
	// SubscriptionFailed: a NOTIFY got a response (or a timeout) that
	// destroys the usage or the dialog (RFC 5057 §5.1: 481, 408...); Code
	// says which.
	SubscriptionFailed = "failed"
	// SubscriptionShutdown: the node shut down; no terminal NOTIFY was sent.
	SubscriptionShutdown = "shutdown"
)

// SubscriptionCreatedV1: a SUBSCRIBE a plugin accepted was answered 200;
// the subscription lives for Expires seconds unless refreshed. Expires 0 is
// a fetch: the plugin sends one NOTIFY (Subscription-State terminated),
// then the subscription ends.
type SubscriptionCreatedV1 struct {
	Envelope
	Event      string `json:"event"`       // the event package, e.g. "conference"
	RequestURI string `json:"request_uri"` // the SUBSCRIBE's Request-URI
	From       string `json:"from"`        // the subscriber, From without its tag
	To         string `json:"to"`          // To without its tag
	SIPCallID  string `json:"sip_call_id"` // the subscription dialog's Call-ID
	Expires    int    `json:"expires"`     // seconds granted in the 200
}

func (*SubscriptionCreatedV1) Name() string { return "subscription_created" }

// SubscriptionRefreshedV1: the subscriber refreshed the subscription with
// an in-dialog SUBSCRIBE, answered 200 with Expires seconds. RFC 6665 wants
// a NOTIFY after every accepted SUBSCRIBE: the plugin sends it. Expires 0
// is an unsubscribe: the plugin may send a last NOTIFY (terminated); the
// subscription then ends with reason "unsubscribed".
type SubscriptionRefreshedV1 struct {
	Envelope
	Event   string `json:"event"`
	Expires int    `json:"expires"`
}

func (*SubscriptionRefreshedV1) Name() string { return "subscription_refreshed" }

// SubscriptionEndedV1: the subscription is over.
type SubscriptionEndedV1 struct {
	Envelope
	Event  string `json:"event"`
	Reason string `json:"reason"` // expired, unsubscribed, terminated, failed or shutdown: the Subscription* constants
	// Code is, with reason failed, the response to the NOTIFY that ended
	// it (408 for a transaction timeout).
	Code int `json:"code,omitempty"`
}

func (*SubscriptionEndedV1) Name() string { return "subscription_ended" }
