package events

// HeaderV1 is one SIP header field, e.g. {Name: "Event", Value: "dialog"}.
// Headers are a slice, not a map: order is kept and a name may repeat.
type HeaderV1 struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}
