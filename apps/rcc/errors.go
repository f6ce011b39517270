package rcc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Names of the errors the gateway answers itself, not the core. Their
// code is 0 (no events.ErrorCode); bad JSON is the core's bad_request
// (code 1).
const (
	ErrNameUnauthorized     = "unauthorized"       // 401: no or an unknown bearer token
	ErrNameForbidden        = "forbidden"          // 403: the token lacks the permission
	ErrNameNotFound         = "not_found"          // 404: no such route
	ErrNameMethodNotAllowed = "method_not_allowed" // 405: the route has no such method
	ErrNameUnsupportedMedia = "unsupported_media"  // 415: a body that is not JSON
	ErrNameNoCore           = "no_core"            // 503: no node serves the command
	ErrNameStopped          = "stopped"            // 503: the gateway is stopping
	ErrNameTimeout          = "timeout"            // 504: no reply within command_timeout
	ErrNameBadGateway       = "bad_gateway"        // 502: the reply did not decode, NATS failed
)

// StatusOf is the HTTP status of a command refused by the core with code:
// bad_request 400, unknown_call and unknown_leg 404, conflict 409,
// unavailable 503, internal and any code this gateway does not know 500.
func StatusOf(code events.ErrorCode) int {
	switch code {
	case events.ErrBadRequest:
		return http.StatusBadRequest
	case events.ErrUnknownCall, events.ErrUnknownLeg:
		return http.StatusNotFound
	case events.ErrConflict:
		return http.StatusConflict
	case events.ErrUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// gatewayError is an error of the gateway's own, in the shape of the
// core's (code 0).
func gatewayError(name, format string, args ...any) *events.Error {
	return &events.Error{Name: name, Message: fmt.Sprintf(format, args...)}
}

// badRequest is a request the gateway refuses before the core sees it,
// with the core's own code for it.
func badRequest(format string, args ...any) *events.Error {
	return events.NewError(events.ErrBadRequest, format, args...)
}

// classify maps the error of a command sent with ctx to an HTTP status and
// the error to answer with. core is true when the core refused the command
// (its reply carries the error).
func classify(ctx context.Context, err error) (status int, e *events.Error, core bool) {
	if errors.As(err, &e) && e != nil {
		return StatusOf(e.Code), e, true
	}
	switch {
	case errors.Is(err, sdk.ErrNoCore):
		return http.StatusServiceUnavailable, gatewayError(ErrNameNoCore, "no node serves the command"), false
	case errors.Is(err, sdk.ErrStopped):
		return http.StatusServiceUnavailable, gatewayError(ErrNameStopped, "the gateway is stopping"), false
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return http.StatusGatewayTimeout, gatewayError(ErrNameTimeout, "no node answered in time"), false
	case ctx.Err() != nil:
		return http.StatusServiceUnavailable, gatewayError(ErrNameStopped, "the request was cancelled"), false
	}
	return http.StatusBadGateway, gatewayError(ErrNameBadGateway, "%v", err), false
}

// errorReply is the body of every error the gateway answers itself: the
// shape of a command reply (events.Reply).
type errorReply = events.Reply

// writeError answers with status and e as a reply body.
func writeError(w http.ResponseWriter, status int, requestID string, e *events.Error) {
	writeJSON(w, status, errorReply{RequestID: requestID, Error: e})
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(errorReply{Error: events.NewError(events.ErrInternal, "rcc: encode the reply: %v", err)})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
