package b2bua

import (
	"strconv"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// inbound is a request we received and must answer. Its handler goroutine
// waits (wait) until the final response is sent, because the server
// transaction ends when the handler returns.
type inbound struct {
	req   *sipx.Request
	tx    sipx.ServerTransaction
	done  chan struct{}
	final bool
}

func newInbound(req *sipx.Request, tx sipx.ServerTransaction) *inbound {
	return &inbound{req: req, tx: tx, done: make(chan struct{})}
}

// wait blocks until the final response is sent or the transaction ended.
func (in *inbound) wait() {
	select {
	case <-in.done:
	case <-in.tx.Done():
	}
}

// markFinal records that the transaction was answered elsewhere (the 487
// sipgo sends after CANCEL).
func (in *inbound) markFinal() {
	if !in.final {
		in.final = true
		close(in.done)
	}
}

// send sends res on the transaction; a final response releases the handler.
// Only the owner (the call's executor, or the handler before it posted) calls it.
func (in *inbound) send(res *sipx.Response) error {
	if in.final {
		return nil
	}
	err := in.tx.Respond(res)
	if res.StatusCode >= 200 {
		in.markFinal()
	}
	return err
}

// response builds a response to in with the server header and sanitised
// reason phrase.
func (c *Core) response(req *sipx.Request, code int, reason string, body []byte) *sipx.Response {
	if reason == "" {
		reason = reasonPhrase(code)
	}
	res := sipx.NewResponseFromRequest(req, code, sanitize(reason), body)
	if ua := c.stack.UserAgent(); ua != "" {
		res.AppendHeader(sipx.NewHeader("Server", ua))
	}
	if len(body) > 0 {
		res.AppendHeader(sipx.NewHeader("Content-Type", "application/sdp"))
	}
	if code == 405 || code == 501 {
		res.AppendHeader(sipx.NewHeader("Allow", allowHeader))
	}
	return res
}

// reject answers a request the core refuses by itself, counted by code.
func (c *Core) reject(in *inbound, code int, reason string) {
	c.metrics.rejected.WithLabelValues(strconv.Itoa(code)).Inc()
	res := c.response(in.req, code, reason, nil)
	if code == 503 {
		// our own 503 (draining) says when to come back; a relayed one keeps its own
		res.AppendHeader(sipx.NewHeader("Retry-After", strconv.Itoa(c.cfg.RetryAfter)))
	}
	if err := in.send(res); err != nil {
		c.log.Debug("b2bua: respond failed", "code", code, "call_id", in.req.CallID().Value(), "error", err)
	}
}

// allowHeader lists the methods Tandem accepts.
const allowHeader = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, MESSAGE, REGISTER, SUBSCRIBE, REFER, NOTIFY"

// supportedHeader lists the extensions Tandem supports: Replaces (RFC
// 3891), REFER without a subscription (RFC 4488) and Target-Dialog (RFC
// 4538).
const supportedHeader = "replaces, norefersub, tdialog"
