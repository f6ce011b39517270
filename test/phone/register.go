package phone

import (
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Registration is the state of a phone's registrations: one Call-ID and
// CSeq space per phone, as a UA keeps for its REGISTERs (RFC 3261 §10.2).
type Registration struct {
	callID string
	seq    uint32
}

// Register registers aor (e.g. sip:bob@example.test) at the registrar
// (host:port) with this phone's Contact (plus contactParams, e.g.
// `+sip.instance="<urn:uuid:...>"`), asking for expires seconds, and
// answers a digest challenge as user with password. It returns the final
// response. Extra headers (Supported: gruu) go on every attempt.
func (p *Phone) Register(registrar, aor, user, password string, expires int, contactParams string, hdrs ...sip.Header) *sip.Response {
	p.t.Helper()
	p.mu.Lock()
	if p.reg.callID == "" {
		p.reg.callID = "reg-" + p.name + "-" + sip.GenerateTagN(8)
	}
	p.mu.Unlock()
	res := p.registerOnce(registrar, aor, expires, contactParams, "", hdrs)
	if res.StatusCode != 401 {
		return res
	}
	chal, err := digest.ParseChallenge(strings.TrimSpace(res.GetHeader("WWW-Authenticate").Value()))
	if err != nil {
		p.t.Fatalf("phone %s: challenge: %v", p.name, err)
	}
	var ruri sip.Uri
	if err := sip.ParseUri(aor, &ruri); err != nil {
		p.t.Fatalf("phone %s: aor %q: %v", p.name, aor, err)
	}
	cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:" + ruri.Host, Username: user, Password: password, Count: 1})
	if err != nil {
		p.t.Fatalf("phone %s: digest: %v", p.name, err)
	}
	return p.registerOnce(registrar, aor, expires, contactParams, cred.String(), hdrs)
}

func (p *Phone) registerOnce(registrar, aor string, expires int, contactParams, authorization string, hdrs []sip.Header) *sip.Response {
	p.t.Helper()
	var to sip.Uri
	if err := sip.ParseUri(aor, &to); err != nil {
		p.t.Fatalf("phone %s: aor %q: %v", p.name, aor, err)
	}
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: to.Host})
	req.SetDestination(registrar)
	from := &sip.FromHeader{Address: to}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: to})
	cid := sip.CallIDHeader(p.reg.callID)
	req.AppendHeader(&cid)
	p.mu.Lock()
	p.reg.seq++
	seq := p.reg.seq
	p.mu.Unlock()
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: sip.REGISTER})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	contact := "<sip:" + p.name + "@127.0.0.1:" + strconv.Itoa(p.port) + ">"
	if contactParams != "" {
		contact += ";" + contactParams
	}
	req.AppendHeader(sip.NewHeader("Contact", contact))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	if authorization != "" {
		req.AppendHeader(sip.NewHeader("Authorization", authorization))
	}
	for _, h := range hdrs {
		req.AppendHeader(h)
	}
	req.SetBody(nil)
	return p.start(req, nil).Final(5 * time.Second)
}

// Subscribe subscribes to the reg event of aor at the registrar
// (host:port) for expires seconds, answering a digest challenge as user
// with password. It returns the final response and the subscription's
// dialog, on which the NOTIFYs arrive (answer each with OK).
func (p *Phone) Subscribe(registrar, aor, user, password string, expires int) (*sip.Response, *Dialog) {
	p.t.Helper()
	var ruri sip.Uri
	if err := sip.ParseUri(aor, &ruri); err != nil {
		p.t.Fatalf("phone %s: aor %q: %v", p.name, aor, err)
	}
	d := newDialog(p)
	d.callID = "sub-" + sip.GenerateTagN(12) + "@" + p.name
	d.localTag = sip.GenerateTagN(12)
	d.localURI = sip.Uri{Scheme: "sip", User: user, Host: ruri.Host}
	d.remoteURI = ruri
	d.remoteTarget = ruri
	p.addDialog(d)
	send := func(authorization string) *sip.Response {
		req := d.build(sip.SUBSCRIBE, 0)
		req.SetDestination(registrar)
		req.AppendHeader(p.contact())
		req.AppendHeader(sip.NewHeader("Event", "reg"))
		req.AppendHeader(sip.NewHeader("Accept", "application/reginfo+xml"))
		req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
		if authorization != "" {
			req.AppendHeader(sip.NewHeader("Authorization", authorization))
		}
		req.SetBody(nil)
		return p.start(req, nil).Final(5 * time.Second)
	}
	res := send("")
	if res.StatusCode == 401 {
		chal, err := digest.ParseChallenge(strings.TrimSpace(res.GetHeader("WWW-Authenticate").Value()))
		if err != nil {
			p.t.Fatalf("phone %s: challenge: %v", p.name, err)
		}
		cred, err := digest.Digest(chal, digest.Options{Method: "SUBSCRIBE", URI: ruri.String(), Username: user, Password: password, Count: 1})
		if err != nil {
			p.t.Fatalf("phone %s: digest: %v", p.name, err)
		}
		res = send(cred.String())
	}
	if res.StatusCode < 300 {
		d.mu.Lock()
		d.remoteTag, _ = res.To().Params.Get("tag")
		if c := res.Contact(); c != nil {
			d.remoteTarget = *c.Address.Clone()
		}
		d.mu.Unlock()
	}
	return res, d
}
