package registrar

import (
	"strconv"
	"strings"
	"time"

	"github.com/tandem-sip/tandem/b2bua/internal/gruu"
	"github.com/tandem-sip/tandem/b2bua/internal/sipx"
)

// dateFormat is RFC 3261's rfc1123-date (with the bis-09 fix: a space
// after the comma).
const dateFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// mintedGRUU is a GRUU put in a 2xx.
type mintedGRUU struct {
	key     string // the binding's
	binding Binding
	pub     string
	temp    string // "" when none could be minted
	aor     string
}

// okHeaders are the headers of a 2xx to REGISTER (RFC 3261 §10.3 step 8):
// every current binding as a Contact value with its remaining expiry and
// the parameters it was registered with, plus, when the REGISTER supports
// gruu, pub-gruu and a fresh temp-gruu for bindings with an instance
// (RFC 5627 §6); Date; Supported: gruu when the UA supports it.
func (r *Registrar) okHeaders(rec Record, now time.Time, gruuOK bool) ([]sipx.Header, []mintedGRUU) {
	bs := rec.ordered(now)
	hs := make([]sipx.Header, 0, len(bs)+2)
	var minted []mintedGRUU
	for _, b := range bs {
		var g *mintedGRUU
		if gruuOK && b.GRUU && b.Instance != "" {
			m := r.mintFor(rec.AOR, b)
			minted = append(minted, m)
			g = &minted[len(minted)-1]
		}
		hs = append(hs, sipx.NewHeader("Contact", contactValue(b, now, g)))
	}
	hs = append(hs, sipx.NewHeader("Date", now.UTC().Format(dateFormat)))
	if gruuOK {
		hs = append(hs, sipx.NewHeader("Supported", "gruu"))
	}
	return hs, minted
}

// mintFor makes the GRUUs of a binding: its pub-gruu and a new temp-gruu
// valid while the instance keeps its Call-ID.
func (r *Registrar) mintFor(aor string, b Binding) mintedGRUU {
	m := mintedGRUU{key: b.Key, binding: b, aor: aor, pub: gruu.PubGRUU(aor, b.Instance)}
	tok, err := r.minter.MintTemp(gruu.NewTempRef(aor, b.Instance, b.CallID, b.FirstCSeq, b.CSeq))
	if err == nil {
		m.temp = tempURI(aor, tok)
	}
	return m
}

// tempURI is the temp-gruu URI of a token: in the AOR's domain and scheme.
func tempURI(aor, token string) string {
	scheme, _, _ := strings.Cut(aor, ":")
	return scheme + ":" + token + "@" + aorDomain(aor) + ";gr"
}

// contactValue renders a binding as a Contact header field value.
func contactValue(b Binding, now time.Time, g *mintedGRUU) string {
	var sb strings.Builder
	sb.Grow(len(b.Contact) + len(b.Params) + len(b.RawInstance) + 64)
	if b.Display != "" {
		sb.WriteString(quote(b.Display))
		sb.WriteByte(' ')
	}
	sb.WriteByte('<')
	sb.WriteString(b.Contact)
	sb.WriteString(">;expires=")
	sb.WriteString(strconv.FormatUint(uint64(b.ExpiresIn(now)), 10))
	if b.Q != qNone {
		sb.WriteString(";q=")
		sb.WriteString(formatQ(b.Q))
	}
	if b.RawInstance != "" {
		sb.WriteString(";+sip.instance=")
		sb.WriteString(b.RawInstance)
	}
	if b.RegID != 0 {
		sb.WriteString(";reg-id=")
		sb.WriteString(strconv.FormatUint(uint64(b.RegID), 10))
	}
	sb.WriteString(b.Params)
	if g != nil {
		sb.WriteString(`;pub-gruu="`)
		sb.WriteString(g.pub)
		sb.WriteByte('"')
		if g.temp != "" {
			sb.WriteString(`;temp-gruu="`)
			sb.WriteString(g.temp)
			sb.WriteByte('"')
		}
	}
	return sb.String()
}

// quote makes a quoted-string.
func quote(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			continue
		}
		if c == '"' || c == '\\' {
			sb.WriteByte('\\')
		}
		sb.WriteByte(c)
	}
	sb.WriteByte('"')
	return sb.String()
}
