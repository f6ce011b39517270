package registrar

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"
)

// This file builds the reg event package's documents: application/
// reginfo+xml (RFC 3680) with the GRUU extension (RFC 5628), which gives
// each contact its pub-gruu and its latest temp-gruu with the first CSeq
// of its Call-ID, so that a UA can tell which of its temp-gruus are still
// valid (the register race of the GRUU-12 slides): those learnt in REGISTER
// responses with the contact's callid and a CSeq not below first-cseq.

// RegInfoContentType is the Content-Type of reg event NOTIFY bodies.
const RegInfoContentType = "application/reginfo+xml"

// XML namespaces.
const (
	nsRegInfo  = "urn:ietf:params:xml:ns:reginfo"
	nsGRUUInfo = "urn:ietf:params:xml:ns:gruuinfo"
)

// reginfo is the document. encoding/xml cannot choose namespace prefixes,
// so the gr: prefix is written literally and declared by hand.
type reginfo struct {
	XMLName       xml.Name       `xml:"reginfo"`
	XMLNS         string         `xml:"xmlns,attr"`
	XMLNSGR       string         `xml:"xmlns:gr,attr"`
	Version       uint32         `xml:"version,attr"`
	State         string         `xml:"state,attr"`
	Registrations []registration `xml:"registration"`
}

type registration struct {
	AOR      string     `xml:"aor,attr"`
	ID       string     `xml:"id,attr"`
	State    string     `xml:"state,attr"`
	Contacts []xcontact `xml:"contact"`
}

type xcontact struct {
	ID                 string         `xml:"id,attr"`
	State              string         `xml:"state,attr"`
	Event              string         `xml:"event,attr"`
	DurationRegistered *int64         `xml:"duration-registered,attr,omitempty"`
	Expires            *int64         `xml:"expires,attr,omitempty"`
	Q                  string         `xml:"q,attr,omitempty"`
	CallID             string         `xml:"callid,attr,omitempty"`
	CSeq               *uint32        `xml:"cseq,attr,omitempty"`
	URI                string         `xml:"uri"`
	DisplayName        string         `xml:"display-name,omitempty"`
	UnknownParams      []unknownParam `xml:"unknown-param"`
	PubGRUU            *pubGRUU       `xml:"gr:pub-gruu"`
	TempGRUU           *tempGRUU      `xml:"gr:temp-gruu"`
}

type unknownParam struct {
	Name  string `xml:"name,attr"`
	Value string `xml:",chardata"`
}

type pubGRUU struct {
	URI string `xml:"uri,attr"`
}

type tempGRUU struct {
	URI       string `xml:"uri,attr"`
	FirstCSeq uint32 `xml:"first-cseq,attr"`
}

// Contact events of RFC 3680 §5.2 that this registrar reports.
const (
	evRegistered   = "registered"
	evCreated      = "created"
	evRefreshed    = "refreshed"
	evExpired      = "expired"
	evUnregistered = "unregistered"
)

// RegEventSubscription is the notifier state of one reg event subscription
// to one AOR (its own dialog and usage in the core): it numbers the
// documents it builds from 0, one more each time (RFC 3680 §5.2, scoped to
// the subscription). The core calls Full for the NOTIFY answering each
// SUBSCRIBE (initial and refresh) and Partial for each Change of the AOR
// seen through Store.Watch. It is not safe for concurrent use: the
// subscription's owner calls it.
type RegEventSubscription struct {
	r       *Registrar
	aor     string
	version uint32
	started bool
}

// NewRegEventSubscription starts the notifier state of a subscription to
// aor (canonical, see CanonicalAOR).
func (r *Registrar) NewRegEventSubscription(aor string) *RegEventSubscription {
	return &RegEventSubscription{r: r, aor: aor}
}

// AOR is the subscription's address-of-record.
func (s *RegEventSubscription) AOR() string { return s.aor }

func (s *RegEventSubscription) next() uint32 {
	if s.started {
		s.version++
	}
	s.started = true
	return s.version
}

// Full builds a full-state document of rec (the AOR's record) at now.
func (s *RegEventSubscription) Full(rec Record, now time.Time) ([]byte, error) {
	reg := registration{AOR: s.aor, ID: regID(s.aor), State: "init"}
	for _, b := range rec.ordered(now) {
		reg.Contacts = append(reg.Contacts, s.contact(b, "active", evRegistered, now))
	}
	if len(reg.Contacts) > 0 {
		reg.State = "active"
	}
	return marshalRegInfo(reginfo{Version: s.next(), State: "full", Registrations: []registration{reg}})
}

// Partial builds a partial-state document of a change of the AOR's record,
// or returns nil when the change is nothing a watcher sees.
func (s *RegEventSubscription) Partial(ch Change, now time.Time) ([]byte, error) {
	if ch.AOR != s.aor {
		return nil, nil
	}
	reg := registration{AOR: s.aor, ID: regID(s.aor), State: "active"}
	for _, b := range ch.Old.Bindings {
		if ch.New.find(b.Key) >= 0 {
			continue
		}
		ev := evUnregistered
		if ch.New.Cause == CauseExpire || !b.Expires.After(now) {
			ev = evExpired
		}
		c := s.contact(b, "terminated", ev, now)
		c.Expires = nil
		reg.Contacts = append(reg.Contacts, c)
	}
	for _, b := range ch.New.Bindings {
		i := ch.Old.find(b.Key)
		switch {
		case i < 0 || !ch.Old.Bindings[i].Expires.After(now):
			reg.Contacts = append(reg.Contacts, s.contact(b, "active", evCreated, now))
		case ch.Old.Bindings[i] != b:
			reg.Contacts = append(reg.Contacts, s.contact(b, "active", evRefreshed, now))
		}
	}
	if len(reg.Contacts) == 0 {
		return nil, nil
	}
	if len(ch.New.Bindings) == 0 {
		reg.State = "terminated"
	}
	return marshalRegInfo(reginfo{Version: s.next(), State: "partial", Registrations: []registration{reg}})
}

// contact is one binding's element. Its GRUUs are those a REGISTER from
// the same registration would get; the temp-gruu is freshly minted, and
// valid like every temp-gruu of the same callid and first-cseq.
func (s *RegEventSubscription) contact(b Binding, state, event string, now time.Time) xcontact {
	dur := int64(now.Sub(b.Registered) / time.Second)
	exp := int64(b.ExpiresIn(now))
	cseq := b.CSeq
	c := xcontact{
		ID:                 contactID(s.aor, b.Key),
		State:              state,
		Event:              event,
		DurationRegistered: &dur,
		Expires:            &exp,
		CallID:             b.CallID,
		CSeq:               &cseq,
		URI:                b.Contact,
		DisplayName:        b.Display,
	}
	if b.Q != qNone {
		c.Q = formatQ(b.Q)
	}
	if b.RawInstance != "" {
		c.UnknownParams = append(c.UnknownParams, unknownParam{Name: "+sip.instance", Value: b.RawInstance})
	}
	if b.RegID != 0 {
		c.UnknownParams = append(c.UnknownParams, unknownParam{Name: "reg-id", Value: strconv.FormatUint(uint64(b.RegID), 10)})
	}
	if b.GRUU && b.Instance != "" && state == "active" {
		m := s.r.mintFor(s.aor, b)
		c.PubGRUU = &pubGRUU{URI: m.pub}
		if m.temp != "" {
			c.TempGRUU = &tempGRUU{URI: m.temp, FirstCSeq: b.FirstCSeq}
		}
	}
	return c
}

// marshalRegInfo writes the document with its XML declaration.
func marshalRegInfo(doc reginfo) ([]byte, error) {
	doc.XMLNS, doc.XMLNSGR = nsRegInfo, nsGRUUInfo
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("registrar: reginfo: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// regID and contactID are stable ids (RFC 3680 requires them to stay the
// same for the life of the registration and the contact).
func regID(aor string) string { return "r" + shortHash(aor) }

func contactID(aor, key string) string { return "c" + shortHash(aor+"\x00"+key) }

func shortHash(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return strconv.FormatUint(h.Sum64(), 36)
}
