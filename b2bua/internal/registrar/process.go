package registrar

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// Errors a store update is aborted with; nothing changes (atomic
// processing, the bis-09 correction of RFC 3261 §10.3 step 6).
var (
	errOutOfOrder  = errors.New("registrar: CSeq out of order for a binding with the same Call-ID")
	errTooMany     = errors.New("registrar: too many contacts")
	errMinExpires  = errors.New("registrar: expiry below min_expires")
	errBadRequest  = errors.New("registrar: bad request")
	errNotServed   = errors.New("registrar: domain not served")
	errForbidden   = errors.New("registrar: not allowed")
	errUnsupported = errors.New("registrar: unsupported extension")
)

// supportedOptions are the option tags Require may name in a REGISTER.
var supportedOptions = map[string]bool{"gruu": true}

// intent is what one Contact of the REGISTER asks for.
type intent struct {
	spec     contactSpec
	key      string
	instance string
	granted  uint32 // seconds; 0 removes
}

// Process handles a REGISTER (RFC 3261 §10.3 with the bis-09 corrections,
// RFC 5626 flows, RFC 5627 GRUUs) against the store and returns the
// response to send. It changes the store at most once, atomically: any
// error leaves every binding as it was. The events of the changes are
// published through the EventSink and returned. now is the request's
// arrival time.
func (r *Registrar) Process(ctx context.Context, req *sipx.Request, now time.Time) Result {
	res := r.process(ctx, req, now)
	if res.Reason == "" {
		res.Reason = reasonPhrase(res.Code)
	}
	r.m.requests.WithLabelValues(strconv.Itoa(res.Code)).Inc()
	return res
}

func fail(code int, reason string, err error) Result {
	return Result{Code: code, Reason: reason, Err: err}
}

func (r *Registrar) process(ctx context.Context, req *sipx.Request, now time.Time) Result {
	if req.Method != sipx.REGISTER {
		return fail(405, "", fmt.Errorf("%w: %s is not REGISTER", errBadRequest, req.Method))
	}
	if req.To() == nil || req.From() == nil || req.CallID() == nil || req.CSeq() == nil {
		return fail(400, "Missing Mandatory Header", errBadRequest)
	}
	callID := req.CallID().Value()
	cseq := req.CSeq().SeqNo

	// 1. the Request-URI names a domain we keep bindings for
	ruri := req.Recipient
	if s := strings.ToLower(ruri.Scheme); s != "sip" && s != "sips" {
		return fail(416, "", fmt.Errorf("%w: Request-URI scheme %q", errBadRequest, ruri.Scheme))
	}
	if !r.ServesDomain(ruri.Host) {
		return fail(404, "Domain Not Served", fmt.Errorf("%w: %s", errNotServed, ruri.Host))
	}
	// 2. extensions the request requires
	if un := unsupported(req); len(un) > 0 {
		res := fail(420, "Bad Extension", fmt.Errorf("%w: %s", errUnsupported, strings.Join(un, ", ")))
		res.Headers = []sipx.Header{sipx.NewHeader("Unsupported", strings.Join(un, ", "))}
		return res
	}
	// 3. authentication
	var acct *account
	if r.cfg.Auth.Required {
		o := r.auth.authenticate(req, now)
		if o.code != 0 {
			res := fail(o.code, o.reason, fmt.Errorf("registrar: authentication: %s", orStr(o.failure, "challenge")))
			res.Headers = o.headers
			return res
		}
		acct = o.acct
	}
	// 5. the AOR, in canonical form, must belong to the Request-URI's domain
	aor, err := canonicalAOR(req.To().Address)
	if err != nil {
		return fail(404, "Not Found", err)
	}
	if d := aorDomain(aor); !r.ServesDomain(hostOf(d)) || !strings.EqualFold(hostOf(d), ruri.Host) {
		res := fail(404, "Not Found", fmt.Errorf("%w: AOR %s is not in %s", errNotServed, aor, ruri.Host))
		res.AOR = aor
		return res
	}
	// 4. the user may register this AOR
	if r.cfg.Auth.Required && !r.owns(acct, aor) {
		res := fail(403, "Forbidden", fmt.Errorf("%w: user %s may not register %s", errForbidden, acct.name, aor))
		res.AOR = aor
		return res
	}
	user := ""
	if acct != nil {
		user = acct.name
	}
	res := r.update(ctx, req, now, aor, callID, cseq, user)
	res.AOR, res.User = aor, user
	return res
}

// update is steps 6-8: the Contacts, the store, the response.
func (r *Registrar) update(ctx context.Context, req *sipx.Request, now time.Time, aor, callID string, cseq uint32, user string) Result {
	specs, star, err := parseContacts(contactValues(req))
	if err != nil {
		return fail(400, "Bad Contact", err)
	}
	hdrExp, hasHdrExp := uint32(0), false
	if hs := req.GetHeaders("Expires"); len(hs) > 1 {
		return fail(400, "Bad Expires", fmt.Errorf("%w: %d Expires headers", errBadRequest, len(hs)))
	} else if len(hs) == 1 {
		if hdrExp, err = parseExpires(hs[0].Value()); err != nil {
			return fail(400, "Bad Expires", err)
		}
		hasHdrExp = true
	}
	if star {
		// Contact: * only alone and with Expires: 0 (RFC 3261 §10.2.2)
		if len(specs) > 0 {
			return fail(400, "Wildcard Contact With Others", fmt.Errorf("%w: Contact: * with other contacts", errBadRequest))
		}
		if !hasHdrExp || hdrExp != 0 {
			return fail(400, "Wildcard Contact Needs Expires 0", fmt.Errorf("%w: Contact: * without Expires: 0", errBadRequest))
		}
	}
	gruuOK := supports(req, "gruu")
	intents := make([]intent, 0, len(specs))
	for _, c := range specs {
		u, err := sipx.ParseURI(c.uri)
		if err != nil {
			return fail(400, "Bad Contact", fmt.Errorf("%w: Contact URI %q: %w", errParse, c.uri, err))
		}
		if s := strings.ToLower(u.Scheme); s != "sip" && s != "sips" {
			return fail(400, "Bad Contact", fmt.Errorf("%w: Contact URI scheme %q", errBadRequest, u.Scheme))
		}
		it := intent{spec: c}
		if c.rawInst != "" {
			if it.instance = gruu.NormalizeInstance(c.rawInst); it.instance == "" {
				return fail(400, "Bad Contact", fmt.Errorf("%w: empty +sip.instance", errBadRequest))
			}
			it.key = instanceKey(it.instance, c.regID)
		} else {
			it.spec.regID = 0 // reg-id means nothing without an instance (RFC 5626 §6)
			it.key = contactKey(u)
		}
		// 7. the expiry: the parameter, else the header, else ours; never
		// longer than asked, never longer than max, never below min
		requested, asked := c.expires, c.hasExpires
		if !asked && hasHdrExp {
			requested, asked = hdrExp, true
		}
		switch {
		case !asked:
			it.granted = uint32(r.cfg.DefaultExpires / time.Second)
		case requested == 0:
			it.granted = 0
		case time.Duration(requested)*time.Second < r.cfg.MinExpires:
			res := fail(423, "Interval Too Brief", fmt.Errorf("%w: %d s", errMinExpires, requested))
			res.Headers = []sipx.Header{sipx.NewHeader("Min-Expires", strconv.Itoa(int(r.cfg.MinExpires/time.Second)))}
			return res
		default:
			it.granted = min(requested, uint32(r.cfg.MaxExpires/time.Second))
		}
		intents = append(intents, it)
	}

	if star || len(intents) > 0 {
		src, tp := req.Source(), req.Transport()
		old, nr, err := r.store.Update(ctx, aor, func(cur Record) (Record, error) {
			return r.apply(cur, intents, star, now, callID, cseq, gruuOK, src, tp, user)
		})
		switch {
		case errors.Is(err, errOutOfOrder):
			return fail(500, "CSeq Out Of Order", err)
		case errors.Is(err, errTooMany):
			return fail(403, "Too Many Contacts", err)
		case err != nil:
			res := fail(503, "Location Service Unavailable", fmt.Errorf("%w: %w", ErrStore, err))
			res.Headers = []sipx.Header{sipx.NewHeader("Retry-After", "5")}
			return res
		}
		res := Result{Code: 200, Reason: "OK"}
		res.Changes = diff(old, nr, now)
		var minted []mintedGRUU
		res.Headers, minted = r.okHeaders(nr, now, gruuOK)
		res.Events = r.publishChanges(res.Changes, nr, now, star)
		res.Events = append(res.Events, r.publishMinted(minted, intents, res.Changes)...)
		return res
	}
	// a query: no Contact, nothing changes (RFC 3261 §10.2.3)
	cur, err := r.store.Get(ctx, aor)
	if err != nil {
		res := fail(503, "Location Service Unavailable", fmt.Errorf("%w: %w", ErrStore, err))
		res.Headers = []sipx.Header{sipx.NewHeader("Retry-After", "5")}
		return res
	}
	hs, _ := r.okHeaders(cur, now, gruuOK)
	return Result{Code: 200, Reason: "OK", Headers: hs}
}

// contactValues are the Contact values of req as text, for parseContacts.
// sipgo has split each row into values and parsed them; its own printing
// (Value) is not used because it quotes an already quoted parameter value
// again and prints a wildcard as "*" whatever followed it. Its parameters
// are written back as they came, which also restores a quoted value that
// its parameter parser split at a ';'.
func contactValues(req *sipx.Request) []string {
	hs := req.GetHeaders("Contact")
	values := make([]string, 0, len(hs))
	for _, h := range hs {
		c, ok := h.(*sipx.ContactHeader)
		if !ok {
			values = append(values, h.Value())
			continue
		}
		var sb strings.Builder
		if c.Address.Wildcard {
			sb.WriteByte('*')
		} else {
			if c.DisplayName != "" {
				sb.WriteByte('"')
				sb.WriteString(c.DisplayName)
				sb.WriteString(`" `)
			}
			sb.WriteByte('<')
			sb.WriteString(c.Address.String())
			sb.WriteByte('>')
		}
		for _, kv := range c.Params {
			sb.WriteByte(';')
			sb.WriteString(kv.K)
			if kv.V != "" {
				sb.WriteByte('=')
				sb.WriteString(kv.V)
			}
		}
		values = append(values, sb.String())
	}
	return values
}

// apply is the store transaction of a REGISTER: a pure function of the
// current record. Bindings already expired count as absent.
func (r *Registrar) apply(cur Record, intents []intent, star bool, now time.Time, callID string, cseq uint32,
	gruuOK bool, src, transport, user string) (Record, error) {
	live, _ := cur.withoutExpired(now)
	live = live.clone()
	live.Cause = CauseRegister
	if star {
		for _, b := range live.Bindings {
			if b.CallID == callID && cseq <= b.CSeq {
				return cur, fmt.Errorf("%w: %s (CSeq %d after %d)", errOutOfOrder, b.Contact, cseq, b.CSeq)
			}
		}
		live.Bindings = nil
		return live, nil
	}
	seen := make(map[string]bool, len(intents))
	for _, it := range intents {
		i := live.find(it.key)
		if i >= 0 && !seen[it.key] {
			if b := live.Bindings[i]; b.CallID == callID && cseq <= b.CSeq {
				return cur, fmt.Errorf("%w: %s (CSeq %d after %d)", errOutOfOrder, b.Contact, cseq, b.CSeq)
			}
		}
		seen[it.key] = true
		if it.granted == 0 {
			if i >= 0 {
				live.Bindings = append(live.Bindings[:i], live.Bindings[i+1:]...)
			}
			continue
		}
		nb := Binding{
			Key:         it.key,
			Contact:     it.spec.uri,
			Display:     it.spec.display,
			Params:      it.spec.params,
			Instance:    it.instance,
			RawInstance: it.spec.rawInst,
			RegID:       it.spec.regID,
			Q:           it.spec.q,
			CallID:      callID,
			CSeq:        cseq,
			FirstCSeq:   cseq,
			GRUU:        gruuOK && it.instance != "" && !it.spec.gr,
			Registered:  now,
			Updated:     now,
			Expires:     now.Add(time.Duration(it.granted) * time.Second),
			Source:      src,
			Transport:   transport,
			User:        user,
		}
		if i < 0 {
			live.Bindings = append(live.Bindings, nb)
			continue
		}
		prev := live.Bindings[i]
		nb.Registered = prev.Registered
		if prev.CallID == callID {
			nb.FirstCSeq = prev.FirstCSeq // same registration: temp-gruus stay valid
		}
		live.Bindings[i] = nb
	}
	if len(live.Bindings) > r.cfg.MaxContacts {
		return cur, fmt.Errorf("%w: %d bindings, at most %d", errTooMany, len(live.Bindings), r.cfg.MaxContacts)
	}
	return live, nil
}

// diff lists the binding changes from old to nr.
func diff(old, nr Record, now time.Time) []BindingChange {
	var out []BindingChange
	for _, b := range old.Bindings {
		if nr.find(b.Key) >= 0 {
			continue
		}
		op := OpRemoved
		if !b.Expires.After(now) {
			op = OpExpired
		}
		out = append(out, BindingChange{Op: op, Binding: b})
	}
	for _, b := range nr.Bindings {
		i := old.find(b.Key)
		switch {
		case i < 0:
			out = append(out, BindingChange{Op: OpAdded, Binding: b})
		case !old.Bindings[i].Expires.After(now):
			// it had expired (not yet swept): its end and a new start
			out = append(out, BindingChange{Op: OpExpired, Binding: old.Bindings[i]}, BindingChange{Op: OpAdded, Binding: b})
		case old.Bindings[i] != b:
			out = append(out, BindingChange{Op: OpRefreshed, Binding: b})
		}
	}
	return out
}

// owns reports whether acct may register (and watch) aor: one of its AORs,
// or by default the AOR of its name in a served domain.
func (r *Registrar) owns(acct *account, aor string) bool {
	if acct == nil {
		return false
	}
	if len(acct.aors) > 0 {
		for _, a := range acct.aors {
			if a == aor {
				return true
			}
		}
		return false
	}
	var sb strings.Builder
	escapeUser(&sb, acct.name)
	return aorUser(aor) == sb.String() && r.ServesDomain(hostOf(aorDomain(aor)))
}

// hostOf strips a port from host[:port] (IPv6 references keep their
// brackets).
func hostOf(hp string) string {
	if strings.HasPrefix(hp, "[") {
		if i := strings.IndexByte(hp, ']'); i >= 0 {
			return hp[:i+1]
		}
		return hp
	}
	if i := strings.LastIndexByte(hp, ':'); i >= 0 {
		return hp[:i]
	}
	return hp
}

// optionTags lists the option tags of the headers named (and their compact
// form, which sipgo does not expand).
func optionTags(req *sipx.Request, names ...string) []string {
	var tags []string
	for _, n := range names {
		for _, h := range req.GetHeaders(n) {
			for _, t := range strings.Split(h.Value(), ",") {
				if t = strings.TrimSpace(t); t != "" {
					tags = append(tags, strings.ToLower(t))
				}
			}
		}
	}
	return tags
}

func supports(req *sipx.Request, tag string) bool {
	for _, t := range optionTags(req, "Supported", "k") {
		if t == tag {
			return true
		}
	}
	return false
}

func unsupported(req *sipx.Request) []string {
	var out []string
	for _, t := range optionTags(req, "Require") {
		if !supportedOptions[t] {
			out = append(out, t)
		}
	}
	return out
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func reasonPhrase(code int) string {
	switch code {
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 416:
		return "Unsupported URI Scheme"
	case 420:
		return "Bad Extension"
	case 423:
		return "Interval Too Brief"
	case 500:
		return "Server Internal Error"
	case 503:
		return "Service Unavailable"
	}
	return "Unknown"
}
