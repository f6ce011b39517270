package rcc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/tandem-sip/tandem/events"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

// MaxBodyBytes bounds a request body.
const MaxBodyBytes = 1 << 20

// IdempotencyKeyHeader carries a command's request_id.
const IdempotencyKeyHeader = "Idempotency-Key"

// serveCommand answers one command route: the body (the request type's
// JSON) is decoded, the path's ids and the token's controller name are put
// in, the command is sent over NATS and the core's reply is written back
// as it came, with the HTTP status of its error if any.
func serveCommand[Req, Rep any](g *Gateway, w http.ResponseWriter, r *http.Request, t *token, rt *route, cmd sdk.Command[Req, Rep]) {
	key := r.Header.Get(IdempotencyKeyHeader)
	var req Req
	if rt.body {
		if status, e := decodeBody(r, &req); e != nil {
			writeError(w, status, key, e)
			return
		}
	}
	if e := bind(&req, r, rt.params, t.name); e != nil {
		writeError(w, http.StatusBadRequest, key, e)
		return
	}
	if e := bindQuery(&req, r, rt.query); e != nil {
		writeError(w, http.StatusBadRequest, key, e)
		return
	}
	id := cmd.RequestID(&req)
	switch {
	case key != "" && *id != "" && *id != key:
		writeError(w, http.StatusBadRequest, key, badRequest("request_id %q differs from the %s header %q", *id, IdempotencyKeyHeader, key))
		return
	case key == "":
		key = *id
	}
	if key != "" {
		// The core remembers replies by request id across controllers: a
		// key of the token's own keeps another token's replies out of
		// reach.
		*id = t.name + ":" + key
	}
	if rt.check != nil {
		if status, e := rt.check(t, &req); e != nil {
			writeError(w, status, key, e)
			return
		}
	}

	ctx, cancel := context.WithTimeout(r.Context(), g.timeout)
	defer cancel()
	node := r.URL.Query().Get("node")
	if node != "" && rt.appVerb {
		writeError(w, http.StatusBadRequest, key, badRequest("node %q: %s is an app's command, served by any node; leave node out", node, cmd.Verb))
		return
	}
	if node == "" && rt.localNode {
		node = g.c.Node()
	}
	var (
		rep Rep
		err error
	)
	if node != "" {
		rep, err = sdk.DoOn(ctx, g.c, node, cmd, req)
	} else {
		rep, err = sdk.Do(ctx, g.c, cmd, req)
	}
	reply := cmd.Reply(&rep)
	if key != "" {
		reply.RequestID = key
	}
	if err != nil {
		status, e, core := classify(ctx, err)
		if !core {
			g.log.Info("rcc: command failed", "verb", cmd.Verb, "controller", t.name, "err", err)
			writeError(w, status, key, e)
			return
		}
		writeJSON(w, status, rep)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// decodeBody decodes a JSON body into v (a pointer to a struct). An empty
// body leaves v as it is; a field v does not declare, a second value or a
// body that is not JSON are refused.
func decodeBody(r *http.Request, v any) (int, *events.Error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return http.StatusUnsupportedMediaType, gatewayError(ErrNameUnsupportedMedia, "Content-Type %q: the body must be application/json", ct)
		}
	}
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return http.StatusRequestEntityTooLarge, badRequest("body larger than %d bytes", MaxBodyBytes)
		}
		return http.StatusBadRequest, badRequest("read the body: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return 0, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return http.StatusBadRequest, badRequest("body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return http.StatusBadRequest, badRequest("body: more than one JSON value")
	}
	return 0, nil
}

// bind fills the request's fields that do not come from the body: each
// path wildcard into the string field of its JSON name (a body may repeat
// it, with the same value), and the controller (a body may repeat the
// token's name, nothing else).
func bind(req any, r *http.Request, params []string, controller string) *events.Error {
	v := reflect.ValueOf(req).Elem()
	for _, p := range params {
		f := fieldByJSON(v, p)
		if !f.IsValid() {
			return events.NewError(events.ErrInternal, "rcc: the request has no field %q", p)
		}
		val := r.PathValue(p)
		if cur := f.String(); cur != "" && cur != val {
			return badRequest("%s %q in the body differs from the path's %q", p, cur, val)
		}
		f.SetString(val)
	}
	if f := fieldByJSON(v, "controller"); f.IsValid() {
		if cur := f.String(); cur != "" && cur != controller {
			return badRequest("controller %q: the controller is the token's name, %q; leave it out", cur, controller)
		}
		f.SetString(controller)
	}
	return nil
}

// fieldByJSON is the string field of struct v whose JSON name is name, or
// the zero Value.
func fieldByJSON(v reflect.Value, name string) reflect.Value {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n == name && f.Type.Kind() == reflect.String {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

// Headers of RFC 5373 that make the callee answer by itself.
var answerModeHeaders = []string{"answer-mode", "priv-answer-mode"}

// checkAnswerMode refuses an originate (legs.originate, calls.originate)
// that carries Answer-Mode or Priv-Answer-Mode unless the token allows it
// (answer_mode), and for the same reason a phones.refer with fallback
// "originate", whose call to the phone carries Answer-Mode: Auto.
func checkAnswerMode(t *token, req any) (int, *events.Error) {
	if t.answerMode {
		return 0, nil
	}
	var headers []events.HeaderV1
	switch o := req.(type) {
	case *events.LegsOriginateRequestV1:
		headers = o.Headers
	case *events.CallsOriginateRequestV1:
		headers = o.Headers
	case *events.PhonesReferRequestV1:
		if o.Fallback == events.ReferFallbackOriginate {
			return http.StatusForbidden, gatewayError(ErrNameForbidden,
				"token %s may not ask for fallback originate, which calls the phone with Answer-Mode: Auto (answer_mode is off)", t.name)
		}
	}
	for _, h := range headers {
		for _, n := range answerModeHeaders {
			if strings.EqualFold(strings.TrimSpace(h.Name), n) {
				return http.StatusForbidden, gatewayError(ErrNameForbidden,
					"token %s may not send %s (answer_mode is off)", t.name, h.Name)
			}
		}
	}
	return 0, nil
}

// bindQuery fills the request's string fields named in names from the
// query parameters of the same names (a body may repeat them, with the
// same value).
func bindQuery(req any, r *http.Request, names []string) *events.Error {
	v := reflect.ValueOf(req).Elem()
	q := r.URL.Query()
	for _, name := range names {
		val := q.Get(name)
		if val == "" {
			continue
		}
		f := fieldByJSON(v, name)
		if !f.IsValid() {
			return events.NewError(events.ErrInternal, "rcc: the request has no field %q", name)
		}
		if cur := f.String(); cur != "" && cur != val {
			return badRequest("%s %q in the body differs from the query's %q", name, cur, val)
		}
		f.SetString(val)
	}
	return nil
}
