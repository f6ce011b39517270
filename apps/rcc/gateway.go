package rcc

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

// Gateway is the HTTP side of the app: an http.Handler serving the routes
// over the plugin's Client. Its methods are safe for concurrent use.
type Gateway struct {
	c         *sdk.Client
	log       *slog.Logger
	tokens    []token
	timeout   time.Duration // per command
	heartbeat time.Duration // of the event stream
	mux       *http.ServeMux
	openapi   []byte // the document, made once
}

// newGateway makes the gateway of cfg (validated) and its resolved tokens.
func newGateway(c *sdk.Client, cfg Config, tokens []token) (*Gateway, error) {
	doc, err := openAPIDocument()
	if err != nil {
		return nil, err
	}
	g := &Gateway{
		c:         c,
		log:       c.Log(),
		tokens:    tokens,
		timeout:   time.Duration(cfg.CommandTimeout),
		heartbeat: time.Duration(cfg.Heartbeat),
		mux:       http.NewServeMux(),
		openapi:   doc,
	}
	for i := range routes {
		rt := &routes[i]
		g.mux.Handle(rt.method+" "+rt.path, g.handler(rt))
	}
	return g, nil
}

// ServeHTTP answers one request. A path or method no route has gets a
// JSON 404 or 405 like every other error.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, pattern := g.mux.Handler(r); pattern == "" {
		cw := &codeWriter{header: http.Header{}}
		h.ServeHTTP(cw, r)
		switch cw.code {
		case http.StatusNotFound:
			writeError(w, http.StatusNotFound, "", gatewayError(ErrNameNotFound, "no route %s", r.URL.Path))
			return
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", cw.header.Get("Allow"))
			writeError(w, http.StatusMethodNotAllowed, "", gatewayError(ErrNameMethodNotAllowed,
				"%s %s: allowed %s", r.Method, r.URL.Path, cw.header.Get("Allow")))
			return
		}
	}
	g.mux.ServeHTTP(w, r)
}

// handler authenticates and authorizes a request for rt, serves it and
// logs it (never its token).
func (g *Gateway) handler(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.perm == "" {
			g.serveOpenAPI(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		t, err := authenticate(g.tokens, r.Header.Get("Authorization"))
		switch {
		case errors.Is(err, errNoToken):
			w.Header().Set("WWW-Authenticate", `Bearer realm="tandem"`)
			writeError(w, http.StatusUnauthorized, "", gatewayError(ErrNameUnauthorized, "a bearer token is required (Authorization: Bearer <token>)"))
			g.log.Debug("rcc: no token", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			return
		case err != nil:
			w.Header().Set("WWW-Authenticate", `Bearer realm="tandem", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "", gatewayError(ErrNameUnauthorized, "invalid bearer token"))
			g.log.Info("rcc: invalid token", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			return
		case !t.may(rt.perm):
			writeError(w, http.StatusForbidden, "", gatewayError(ErrNameForbidden, "token %s lacks permission %q", t.name, rt.perm))
			g.log.Info("rcc: permission denied", "controller", t.name, "permission", rt.perm, "remote", r.RemoteAddr)
			return
		}
		rt.serve(g, sw, r, t)
		g.log.Debug("rcc: request", "method", r.Method, "route", rt.path, "controller", t.name,
			"status", sw.status(), "duration", time.Since(start))
	})
}

// serveOpenAPI answers GET /openapi.json.
func (g *Gateway) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(g.openapi)
}

// statusWriter remembers the status written, for the log.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (Flush,
// SetWriteDeadline).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) status() int {
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

// codeWriter takes the status and headers of the mux's own 404 and 405
// answers and drops their text body.
type codeWriter struct {
	header http.Header
	code   int
}

func (c *codeWriter) Header() http.Header { return c.header }

func (c *codeWriter) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}

func (c *codeWriter) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return len(b), nil
}
