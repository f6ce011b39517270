package events

// RouteRequestV1 is asked on DecideRoute for every new INVITE. A plugin
// answers with RouteDecisionV1 within the core's deadline; otherwise the
// core uses its static routes.
type RouteRequestV1 struct {
	Envelope
	RequestURI string `json:"request_uri"`
	User       string `json:"user"`
	Host       string `json:"host"`
	From       string `json:"from"`
	To         string `json:"to"`
	Source     string `json:"source"`
}

// Route actions.
const (
	RouteForward = "forward"
	RouteReject  = "reject"
	RouteDefault = "default" // the plugin declines; the core uses its config
	// RoutePark keeps the call waiting (no final response) for a
	// controller's legs.answer, legs.reject, legs.redirect or legs.bridge.
	RoutePark = "park"
)

// RouteDecisionV1 answers RouteRequestV1.
type RouteDecisionV1 struct {
	Action string `json:"action"`           // "forward", "reject", "park" or "default": RouteForward, RouteReject, RoutePark or RouteDefault
	Target string `json:"target,omitempty"` // SIP URI, with "forward"
	// Targets forks the call, with "forward": every URI is called at once
	// and the first to answer wins (the others are cancelled), or one after
	// another with Serial. Target, when set too, is tried first.
	Targets []string `json:"targets,omitempty"`
	Serial  bool     `json:"serial,omitempty"` // with Targets: one after another
	Code    int      `json:"code,omitempty"`   // 300-699, with "reject"
	Reason  string   `json:"reason,omitempty"`
	// Controller claims the call for this controller, with "park".
	Controller string `json:"controller,omitempty"`
}

// Declines reports a "default" answer: the plugin has no opinion.
func (d RouteDecisionV1) Declines() bool { return d.Action == RouteDefault }

// AllTargets lists the URIs a "forward" decision calls, in order.
func (d RouteDecisionV1) AllTargets() []string {
	if d.Target == "" {
		return d.Targets
	}
	return append([]string{d.Target}, d.Targets...)
}

// Validate reports whether the decision can be acted on.
func (d RouteDecisionV1) Validate() error {
	switch d.Action {
	case RouteForward:
		if len(d.AllTargets()) == 0 {
			return NewError(ErrBadRequest, "forward without target")
		}
		for _, t := range d.AllTargets() {
			if t == "" {
				return NewError(ErrBadRequest, "forward with an empty target")
			}
		}
	case RouteReject:
		if d.Code < 300 || d.Code > 699 {
			return NewError(ErrBadRequest, "reject code %d not in 300-699", d.Code)
		}
	case RouteDefault, RoutePark:
	default:
		return NewError(ErrBadRequest, "unknown action %q", d.Action)
	}
	return nil
}
