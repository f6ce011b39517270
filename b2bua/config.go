package b2bua

import (
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/mixer"
	"github.com/tandem-sip/tandem/b2bua/internal/registrar"
)

// Config is the core's configuration. The config package fills it from YAML
// and the environment and validates it; Defaults gives the embedded values.
type Config struct {
	// Node names this server in events and node-bound subjects.
	Node string    `yaml:"node"`
	SIP  SIPConfig `yaml:"sip"`
	// Routes are tried in order; the first match wins.
	Routes []Route `yaml:"routes"`
	// RouteDeadline is how long the core waits for a plugin's routing
	// decision before it falls back to Routes.
	RouteDeadline time.Duration `yaml:"route_deadline"`
	// NoAnswerTimeout ends a call still ringing after this long (timer C
	// style): 408 to A, CANCEL to B.
	NoAnswerTimeout time.Duration `yaml:"no_answer_timeout"`
	// MaxCallDuration ends a connected call that lasts longer (BYE to both
	// legs): the safety net for a BYE lost on the way, since the core does
	// not run session timers (RFC 4028) yet. 0 means no limit.
	MaxCallDuration time.Duration `yaml:"max_call_duration"`
	// MaxRedirects is how many 3xx the core follows for one call; 0 relays
	// every 3xx to A.
	MaxRedirects int `yaml:"max_redirects"`
	// ReferFallback is what the core does with a REFER when no plugin
	// answers the refer decision in time (or one answers "default"):
	// "accept" carries the blind transfer out, "reject" reports 603 in the
	// final NOTIFY.
	ReferFallback string `yaml:"refer_fallback"`
	// ReferAuth challenges REFERs (401, digest against the registrar's
	// accounts) before acting on them.
	ReferAuth bool `yaml:"refer_auth"`
	// Mixer tunes the conference mixer (package internal/mixer).
	Mixer mixer.Config `yaml:"mixer"`
	// DrainTimeout is how long calls in progress may continue after
	// shutdown begins; then both legs get BYE.
	DrainTimeout time.Duration `yaml:"drain_timeout"`
	// RetryAfter is the Retry-After (seconds) sent with 503 while draining.
	RetryAfter int `yaml:"retry_after"`
	// Headers lists the headers allowed to cross from one leg to the other.
	Headers HeadersConfig `yaml:"headers"`
	// Registrar configures REGISTER processing, the location service and
	// the reg event (RFC 3261 §10, RFC 5627, RFC 3680).
	Registrar registrar.Config `yaml:"registrar"`
	// GRUU holds the key GRUUs are minted under (the core's leg GRUUs and
	// the registrar's temp-gruus). Nodes that share it route each other's.
	GRUU gruu.Config `yaml:"gruu"`
}

// SIPConfig is the SIP transport configuration.
type SIPConfig struct {
	// Listen is host:port for both UDP and TCP.
	Listen string `yaml:"listen"`
	UDP    bool   `yaml:"udp"`
	TCP    bool   `yaml:"tcp"`
	// Advertise is the host:port put in Via and Contact; defaults to Listen.
	Advertise string `yaml:"advertise"`
	// UDPReadBuffer is the kernel receive buffer asked for the UDP socket,
	// in bytes.
	UDPReadBuffer int `yaml:"udp_read_buffer"`
	// UserAgent is the User-Agent and Server header value.
	UserAgent string `yaml:"user_agent"`
}

// Route is one static routing rule. User and Host are regular expressions
// matched against the Request-URI (an empty one matches anything). Target
// may use $1, ${name} from User's and Host's capture groups (User's first).
// Exactly one of Target and Reject is set.
type Route struct {
	Name   string `yaml:"name"`
	User   string `yaml:"user"`
	Host   string `yaml:"host"`
	Target string `yaml:"target"`
	Reject int    `yaml:"reject"`
	Reason string `yaml:"reason"`
}

// HeadersConfig controls what crosses the bridge besides the body.
type HeadersConfig struct {
	// Allow lists header names copied from one leg's request or response to
	// the other's (case-insensitive). Dialog-forming headers (Via, From, To,
	// Call-ID, CSeq, Contact, Route, Record-Route, Max-Forwards,
	// Content-Length) are never copied whatever this says.
	Allow []string `yaml:"allow"`
}

// Defaults returns the embedded configuration: SIP on 127.0.0.1:5060 UDP and
// TCP, no routes (every call gets 404 unless a plugin routes it), a 100 ms
// routing deadline, a 180 s no-answer timeout.
func Defaults() Config {
	return Config{
		Node: "tandem-1",
		SIP: SIPConfig{
			Listen:        "127.0.0.1:5060",
			UDP:           true,
			TCP:           true,
			UDPReadBuffer: 8 << 20,
			UserAgent:     "Tandem",
		},
		RouteDeadline:   100 * time.Millisecond,
		NoAnswerTimeout: 180 * time.Second,
		MaxCallDuration: 4 * time.Hour,
		MaxRedirects:    3,
		ReferFallback:   "accept",
		DrainTimeout:    30 * time.Second,
		RetryAfter:      30,
		Headers: HeadersConfig{
			Allow: []string{"Subject", "User-Agent", "Alert-Info", "Call-Info", "Priority", "Organization", "Accept-Language"},
		},
		Registrar: registrar.Defaults(),
		GRUU:      gruu.Defaults(),
		Mixer:     mixer.Defaults(),
	}
}
