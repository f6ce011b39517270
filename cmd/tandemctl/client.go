package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/tandem-sip/tandem/events"
)

// natsURL is --nats, else $TANDEM_NATS_URL, else the local default.
func (a *app) natsURL() string {
	if a.g.url != "" {
		return a.g.url
	}
	if u := a.getenv("TANDEM_NATS_URL"); u != "" {
		return u
	}
	return defaultURL
}

// connect opens the NATS connection of one command; name tells the server
// who it is. A failure is a connectError.
func (a *app) connect(name string, extra ...nats.Option) (*nats.Conn, error) {
	creds := a.g.creds
	if creds == "" {
		creds = a.getenv("TANDEM_NATS_CREDENTIALS_FILE")
	}
	user, password := a.g.user, a.g.password
	if user == "" {
		user = a.getenv("TANDEM_NATS_USER")
	}
	if password == "" {
		password = a.getenv("TANDEM_NATS_PASSWORD")
	}
	opts := []nats.Option{nats.Name("tandemctl " + name), nats.Timeout(a.g.timeout)}
	if creds != "" {
		opts = append(opts, nats.UserCredentials(creds))
	}
	if user != "" || password != "" {
		opts = append(opts, nats.UserInfo(user, password))
	}
	opts = append(opts, extra...)
	u := a.natsURL()
	nc, err := nats.Connect(u, opts...)
	if err != nil {
		return nil, &connectError{msg: fmt.Sprintf("cannot connect to NATS at %s: %v", redact(u), err)}
	}
	return nc, nil
}

// subject is the subject of verb: node-bound with --node, else the
// load-shared one.
func (a *app) subject(verb string) string {
	if a.g.node != "" {
		return events.NodeCommandSubject(a.g.node, verb)
	}
	return events.CommandSubject(verb)
}

// request sends req on verb's subject and decodes the reply into rep, whose
// embedded Reply is r. It returns the reply as received. A transport failure
// is a connectError; a typed error in the reply is a commandError (the
// reply is returned with it).
func (a *app) request(cmd, verb string, req, rep any, r *events.Reply) ([]byte, error) {
	data, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: encode request: %w", cmd, err)
	}
	nc, err := a.connect(cmd)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	subj := a.subject(verb)
	ctx, cancel := context.WithTimeout(a.ctx, a.g.timeout)
	defer cancel()
	msg, err := nc.RequestWithContext(ctx, subj, data)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		hint := "is a Tandem node connected to this NATS?"
		if a.g.node != "" {
			hint = fmt.Sprintf("is node %q running and connected to this NATS?", a.g.node)
		}
		return nil, &connectError{msg: fmt.Sprintf("%s: nobody serves %s: %s", cmd, subj, hint)}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout):
		return nil, &connectError{msg: fmt.Sprintf("%s: no reply on %s within %s", cmd, subj, a.g.timeout)}
	case err != nil:
		return nil, &connectError{msg: fmt.Sprintf("%s: request on %s: %v", cmd, subj, err)}
	}
	if err := json.Unmarshal(msg.Data, rep); err != nil {
		return msg.Data, fmt.Errorf("%s: bad reply on %s: %w", cmd, subj, err)
	}
	if r.Error != nil {
		e := *r.Error
		if e.Name == "" {
			e.Name = e.Code.String()
		}
		return msg.Data, &commandError{cmd: cmd, e: &e}
	}
	return msg.Data, nil
}

// redact hides passwords and tokens in a comma-separated list of URLs.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil {
			parts[i] = "<unparsable url>"
			continue
		}
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				parts[i] = u.Redacted()
			} else {
				u.User = url.User("xxxxx") // a lone user part is a token
				parts[i] = u.String()
			}
		}
	}
	return strings.Join(parts, ",")
}
