package natsapi

import "github.com/tandem-sip/tandem/events"

// badRequest makes the ErrBadRequest of a verb's malformed request, its
// message prefixed by the verb.
func badRequest(verb string) func(format string, args ...any) *events.Error {
	return func(format string, args ...any) *events.Error {
		return events.NewError(events.ErrBadRequest, verb+": "+format, args...)
	}
}

// verbDone turns the core's answer to a verb into the reply: rep, or the
// verb's error reply carrying the core's error.
func verbDone(verb string) func(reqID string, err error, rep any) (any, *events.Error) {
	return func(reqID string, err error, rep any) (any, *events.Error) {
		if err != nil {
			e := asEventsError(err)
			return errorReply(verb, reqID, e), e
		}
		return rep, nil
	}
}
