package rcc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// OpenAPIVersion is the OpenAPI version of the document at /openapi.json.
const OpenAPIVersion = "3.1.0"

// errorStatuses are the error answers of a command, each with the shape
// of a reply (events.Reply).
var errorStatuses = []struct {
	code int
	desc string
}{
	{http.StatusBadRequest, "bad_request (code 1): the body or a value is wrong"},
	{http.StatusUnauthorized, "unauthorized: no bearer token, or an unknown one"},
	{http.StatusForbidden, "forbidden: the token lacks the permission (or answer_mode)"},
	{http.StatusNotFound, "unknown_call (2) or unknown_leg (3)"},
	{http.StatusConflict, "conflict (4): the call's state or its controller forbids it"},
	{http.StatusUnsupportedMediaType, "unsupported_media: the body is not application/json"},
	{http.StatusInternalServerError, "internal (5), or a code this gateway does not know"},
	{http.StatusBadGateway, "bad_gateway: the reply did not decode, or NATS failed"},
	{http.StatusServiceUnavailable, "unavailable (6): the node is shutting down; no_core: no node serves the command; stopped"},
	{http.StatusGatewayTimeout, "timeout: no node answered within command_timeout"},
}

// openAPIDocument makes the OpenAPI document of routes.
func openAPIDocument() ([]byte, error) {
	s := &schemas{defs: map[string]any{}}
	errRef, err := s.of(reflect.TypeFor[errorReply]())
	if err != nil {
		return nil, err
	}
	paths := map[string]map[string]any{}
	for i := range routes {
		rt := &routes[i]
		op, err := operation(s, rt, errRef)
		if err != nil {
			return nil, err
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	doc := map[string]any{
		"openapi": OpenAPIVersion,
		"info": map[string]any{
			"title":   "Tandem remote call control gateway",
			"version": "v1",
			"description": "The NATS commands of Tandem's wire contract (package events) over HTTP, " +
				"and its events as Server-Sent Events. Bodies and replies are the JSON of the " +
				"command types; the controller is the token's name; Idempotency-Key sets request_id.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": s.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("rcc: openapi: %w", err)
	}
	return append(data, '\n'), nil
}

// operation is the OpenAPI operation of one route.
func operation(s *schemas, rt *route, errRef map[string]any) (map[string]any, error) {
	op := map[string]any{
		"summary": rt.summary,
		"tags":    []string{tag(rt.path)},
	}
	var params []any
	for _, p := range rt.params {
		params = append(params, map[string]any{
			"name": p, "in": "path", "required": true, "schema": map[string]any{"type": "string"},
		})
	}
	switch {
	case rt.perm == "":
		op["operationId"] = "openapi"
		op["security"] = []any{}
		op["responses"] = map[string]any{"200": map[string]any{
			"description": "This document.",
			"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}},
		}}
		return op, nil
	case rt.perm == PermEvents:
		op["operationId"] = "events.stream"
		op["x-tandem-permission"] = rt.perm
		params = append(params,
			map[string]any{"name": "subject", "in": "query", "schema": map[string]any{"type": "string"},
				"description": "A NATS subject filter under tandem.v1.evt. (e.g. '*.call.>', 'node-1.call.*.leg_ended'); default: every event."},
			map[string]any{"name": "call_id", "in": "query", "schema": map[string]any{"type": "string"},
				"description": "Only the events of this call."})
		op["parameters"] = params
		op["responses"] = map[string]any{
			"200": map[string]any{
				"description": "Server-Sent Events: 'event: <type string>', 'id: <envelope id>', 'data: <the event's JSON>'; " +
					"'event: gap' with {call_id, node, first_seq, last_seq} for events missed for good; a comment every heartbeat.",
				"content": map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}},
			},
			"400": errorResponse("bad_request: a bad subject filter", errRef),
			"401": errorResponse("unauthorized", errRef),
			"403": errorResponse("forbidden: the token lacks the events permission", errRef),
		}
		return op, nil
	}

	op["operationId"] = rt.perm
	op["x-tandem-permission"] = rt.perm
	op["x-tandem-verb"] = rt.perm
	for _, q := range rt.query {
		params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"},
			"description": "Sets the request's " + q + "."})
	}
	if !rt.appVerb {
		params = append(params,
			map[string]any{"name": "node", "in": "query", "schema": map[string]any{"type": "string"},
				"description": "Send the command to this node only (tandem.v1.cmd.<node>.<verb>); default: any node" +
					localNote(rt) + "."})
	}
	params = append(params,
		map[string]any{"name": IdempotencyKeyHeader, "in": "header", "schema": map[string]any{"type": "string"},
			"description": "The command's request_id: a repeat gets the first answer (per token)."})
	op["parameters"] = params
	if rt.body {
		skip := append([]string(nil), rt.params...)
		var from []string
		if len(rt.params) > 0 {
			from = append(from, strings.Join(rt.params, ", ")+" from the path")
		}
		if fieldByJSON(reflect.New(rt.request).Elem(), "controller").IsValid() {
			skip = append(skip, "controller")
			from = append(from, "controller from the token")
		}
		note := "request_id may come from the Idempotency-Key header."
		if len(from) > 0 {
			note = "The gateway sets " + strings.Join(from, " and ") + "; the body may leave them out. " + note
		}
		body, err := s.body(rt.request, skip, note)
		if err != nil {
			return nil, err
		}
		op["requestBody"] = map[string]any{
			"required": false,
			"content":  map[string]any{"application/json": map[string]any{"schema": body}},
		}
	}
	rep, err := s.reply(rt.reply)
	if err != nil {
		return nil, err
	}
	responses := map[string]any{"200": map[string]any{
		"description": "The core's reply.",
		"content":     map[string]any{"application/json": map[string]any{"schema": rep}},
	}}
	for _, e := range errorStatuses {
		responses[fmt.Sprint(e.code)] = errorResponse(e.desc, errRef)
	}
	op["responses"] = responses
	return op, nil
}

func errorResponse(desc string, ref map[string]any) map[string]any {
	return map[string]any{
		"description": desc,
		"content":     map[string]any{"application/json": map[string]any{"schema": ref}},
	}
}

func localNote(rt *route) string {
	if rt.localNode {
		return ", the gateway's own when known (rooms are per node)"
	}
	return ""
}

// tag groups a route in the document by its first path segment after /v1.
func tag(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) >= 2 {
		return segs[1]
	}
	return segs[0]
}
