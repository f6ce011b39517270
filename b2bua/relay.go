package b2bua

import (
	"context"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// relayRequest relays INFO (DTMF) and MESSAGE to the other leg and its
// final response back. Failures are classified like every in-dialog failure.
func (cl *call) relayRequest(x *leg, in *inbound) {
	c := cl.core
	y := x.other()
	if y == nil || !y.hasDialog() {
		c.reject(in, 491, "Request Pending")
		return
	}
	req := y.dlg.request(in.req.Method)
	if mf := in.req.MaxForwards(); mf != nil {
		req.ReplaceHeader(newMaxForwards(mf.Val() - 1))
	}
	req.AppendHeader(y.contact.Clone())
	c.headers.copyAllowed(req, in.req)
	for _, name := range []string{"Info-Package", "Content-Disposition"} {
		if h := in.req.GetHeader(name); h != nil {
			req.AppendHeader(sipx.NewHeader(name, sanitize(h.Value())))
		}
	}
	if body := in.req.Body(); len(body) > 0 {
		req.AppendHeader(sipx.NewHeader("Content-Type", contentType(in.req)))
		req.SetBody(body)
	}
	tx, err := c.stack.Request(context.Background(), req)
	if err != nil {
		cl.relayFailed(y, in, CodeTimeout, "")
		return
	}
	go cl.readFinal(tx, func(res *sipx.Response) {
		if res.StatusCode >= 300 {
			cl.relayFailed(y, in, res.StatusCode, res.Reason)
			return
		}
		out := c.response(in.req, res.StatusCode, res.Reason, nil)
		if len(res.Body()) > 0 {
			out.AppendHeader(sipx.NewHeader("Content-Type", contentType(res)))
			out.SetBody(res.Body())
		}
		in.send(out)
	}, func() { cl.relayFailed(y, in, CodeTimeout, "") })
}

// relayFailed answers the sender of a relayed request and ends the call
// when the failure destroyed the peer's usage or dialog.
func (cl *call) relayFailed(y *leg, in *inbound, code int, reason string) {
	c := cl.core
	scope := Classify(string(in.req.Method), code)
	c.metrics.midcall.WithLabelValues(scope.String()).Inc()
	if code == CodeTimeout {
		code, reason = 408, "Request Timeout"
	}
	if scope == ScopeTransaction || cl.state != stConnected {
		in.send(c.response(in.req, code, reason, nil))
		return
	}
	in.send(c.response(in.req, 500, "Peer Dialog Failed", nil))
	cl.endOnFailure(y, scope, code, "peer "+scope.String()+" failed")
}
