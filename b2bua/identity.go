package b2bua

import (
	"strings"

	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// supports reports whether a message's Supported headers name tag.
func supports(m interface{ GetHeaders(string) []sipx.Header }, tag string) bool {
	for _, h := range m.GetHeaders("Supported") {
		for _, t := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(t), tag) {
				return true
			}
		}
	}
	return false
}

// tellIdentity tells l's party who it talks to now (RFC 4916 connected
// identity), after a transfer or a move gave l a new peer: an UPDATE
// whose From is the new peer's identity, when the party said it supports
// from-change. Its failure changes nothing else.
func (cl *call) tellIdentity(l *leg) {
	p := l.peer
	if !l.fromChange || p == nil || !l.live(cl) || l.state != legConfirmed {
		return
	}
	uri, display := p.dlg.remoteURI, p.dlg.remoteDisplay
	if uri.String() == l.dlg.localURI.String() {
		return
	}
	l.dlg.localURI, l.dlg.localDisplay = *uri.Clone(), sanitize(display)
	cl.log.Debug("b2bua: connected identity", "leg_id", l.id, "now", uri.String())
	cl.sendLocal(l, sipx.UPDATE, nil, nil, func(code int, reason string) {
		if code >= 300 {
			cl.log.Info("b2bua: connected identity UPDATE refused", "leg_id", l.id, "code", code, "reason", reason)
		}
	})
}
