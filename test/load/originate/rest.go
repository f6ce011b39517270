package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/events"
)

// restOriginator sends calls.originate through the REST gateway (apps/rcc):
// POST /v1/calls with a bearer token. The gateway sets the controller to
// the token's name, so these calls are always claimed.
type restOriginator struct {
	base  string // http://127.0.0.1:8089
	token string
	hc    *http.Client
}

func newRESTOriginator(base, token string) *restOriginator {
	return &restOriginator{
		base:  strings.TrimSuffix(base, "/"),
		token: token,
		hc: &http.Client{Transport: &http.Transport{
			MaxIdleConns:        512,
			MaxIdleConnsPerHost: 512,
			IdleConnTimeout:     time.Minute,
		}},
	}
}

// restToken is the bearer token of the gateway a started tandem runs.
const restToken = "origload-0123456789abcdef"

// restConfig is the plugins section that runs the gateway in a started
// tandem: the built-in app rcc on 127.0.0.1:port, one token for the
// calls verbs, named (the calls' controller) origload.
func restConfig(port int) string {
	return fmt.Sprintf(`plugins:
  list:
    - name: rcc
      kind: builtin
      config:
        listen: "127.0.0.1:%d"
        tokens:
          - {name: origload, token: %q, permissions: ["calls.*"]}
`, port, restToken)
}

func (o *restOriginator) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := o.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, data, err
}

func (o *restOriginator) originate(ctx context.Context, req events.CallsOriginateRequestV1) (string, string, error) {
	req.Controller = "" // the token's name
	body, err := json.Marshal(req)
	if err != nil {
		return "", "", err
	}
	status, data, err := o.do(ctx, http.MethodPost, "/v1/calls", body)
	if err != nil {
		return "", "", fmt.Errorf("POST /v1/calls: %w", err)
	}
	var rep events.CallsOriginateReplyV1
	if err := json.Unmarshal(data, &rep); err != nil {
		return "", "", fmt.Errorf("POST /v1/calls: %d, body %.200q: %w", status, data, err)
	}
	if status != http.StatusOK || rep.Error != nil {
		return "", "", fmt.Errorf("POST /v1/calls: %d: %v", status, rep.Error)
	}
	return rep.CallID, rep.ALegID, nil
}

// get is the REST baseline: GET /v1/calls/{unknown}, answered 404 by the
// core through the gateway.
func (o *restOriginator) get(ctx context.Context) error {
	status, data, err := o.do(ctx, http.MethodGet, "/v1/calls/origload-no-such-call", nil)
	if err != nil {
		return err
	}
	if status != http.StatusNotFound {
		return fmt.Errorf("GET /v1/calls/{unknown}: %d %.200q, want 404", status, data)
	}
	return nil
}
