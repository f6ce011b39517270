package config

// Error is one configuration problem. Load and Validate join every problem
// they find with errors.Join; errors.As finds the first *Error.
type Error struct {
	// Source is where the offending value came from: "file:line" for YAML,
	// the variable's name for the environment; empty when unknown (Validate
	// alone does not know where values came from).
	Source string
	// Key is the key path, e.g. "sip.listen" or "routes[2].user"; empty for
	// an unknown environment variable.
	Key string
	// Err says what is wrong.
	Err error
}

func (e *Error) Error() string {
	s := "config: "
	if e.Source != "" {
		s += e.Source + ": "
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
