package registrar

import (
	"errors"
	"strings"
	"testing"
)

func TestParseContacts(t *testing.T) {
	cases := []struct {
		name   string
		values []string
		want   []contactSpec // only the fields set are compared
		star   bool
		err    bool
	}{
		{name: "name-addr", values: []string{`<sip:alice@192.0.2.4>`}, want: []contactSpec{{uri: "sip:alice@192.0.2.4", q: qNone}}},
		{name: "addr-spec params belong to the header", values: []string{`sip:alice@192.0.2.4;expires=60`},
			want: []contactSpec{{uri: "sip:alice@192.0.2.4", expires: 60, hasExpires: true, q: qNone}}},
		{name: "uri params stay in the uri", values: []string{`<sip:alice@h;transport=tcp>;expires=60`},
			want: []contactSpec{{uri: "sip:alice@h;transport=tcp", expires: 60, hasExpires: true, q: qNone}}},
		{name: "display name with comma", values: []string{`"Alice, A." <sip:a@h>;q=0.7, <sip:b@h>`},
			want: []contactSpec{{display: "Alice, A.", uri: "sip:a@h", q: 700}, {uri: "sip:b@h", q: qNone}}},
		{name: "escaped quote in display", values: []string{`"A \"x\"" <sip:a@h>`}, want: []contactSpec{{display: `A "x"`, uri: "sip:a@h", q: qNone}}},
		{name: "instance and reg-id", values: []string{`<sip:a@h;ob>;+sip.instance="<urn:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6>";reg-id=2`},
			want: []contactSpec{{uri: "sip:a@h;ob", rawInst: `"<urn:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6>"`, regID: 2, q: qNone}}},
		{name: "gr contact", values: []string{`<sip:alice@example.com;gr=urn:uuid:1>`}, want: []contactSpec{{uri: "sip:alice@example.com;gr=urn:uuid:1", gr: true, q: qNone}}},
		{name: "other params kept", values: []string{`<sip:a@h>;methods="INVITE, BYE";+sip.audio;video`},
			want: []contactSpec{{uri: "sip:a@h", params: `;methods="INVITE, BYE";+sip.audio;video`, q: qNone}}},
		{name: "pub-gruu and temp-gruu dropped", values: []string{`<sip:a@h>;pub-gruu="sip:a@b;gr=x";temp-gruu="sip:t@b;gr"`},
			want: []contactSpec{{uri: "sip:a@h", q: qNone}}},
		{name: "expires 2^32-1", values: []string{`<sip:a@h>;expires=4294967295`}, want: []contactSpec{{uri: "sip:a@h", expires: maxExpires, hasExpires: true, q: qNone}}},
		{name: "expires beyond 2^32-1 taken as it", values: []string{`<sip:a@h>;expires=99999999999999999999`}, want: []contactSpec{{uri: "sip:a@h", expires: maxExpires, hasExpires: true, q: qNone}}},
		{name: "expires 0 leading zeros", values: []string{`<sip:a@h>;EXPIRES=000`}, want: []contactSpec{{uri: "sip:a@h", expires: 0, hasExpires: true, q: qNone}}},
		{name: "star", values: []string{"*"}, star: true},
		{name: "star with others is for the caller", values: []string{"*", "<sip:a@h>"}, star: true, want: []contactSpec{{uri: "sip:a@h", q: qNone}}},
		{name: "q=1.000", values: []string{`<sip:a@h>;q=1.000`}, want: []contactSpec{{uri: "sip:a@h", q: 1000}}},
		{name: "q=0", values: []string{`<sip:a@h>;q=0`}, want: []contactSpec{{uri: "sip:a@h", q: 0}}},

		{name: "q=1.5", values: []string{`<sip:a@h>;q=1.5`}, err: true},
		{name: "q=0.1234", values: []string{`<sip:a@h>;q=0.1234`}, err: true},
		{name: "q=abc", values: []string{`<sip:a@h>;q=abc`}, err: true},
		{name: "expires negative", values: []string{`<sip:a@h>;expires=-1`}, err: true},
		{name: "expires empty", values: []string{`<sip:a@h>;expires=`}, err: true},
		{name: "expires twice", values: []string{`<sip:a@h>;expires=1;expires=2`}, err: true},
		{name: "instance unquoted", values: []string{`<sip:a@h>;+sip.instance=<urn:x>`}, err: true},
		{name: "reg-id zero", values: []string{`<sip:a@h>;reg-id=0`}, err: true},
		{name: "unterminated <", values: []string{`<sip:a@h`}, err: true},
		{name: "unterminated quote", values: []string{`"x <sip:a@h>`}, err: true},
		{name: "empty value", values: []string{`<sip:a@h>,`}, err: true},
		{name: "junk after >", values: []string{`<sip:a@h> junk`}, err: true},
		{name: "empty uri", values: []string{`<>`}, err: true},
		{name: "bad param name", values: []string{`<sip:a@h>;a b=1`}, err: true},
		{name: "too many", values: []string{strings.Repeat("<sip:a@h>,", maxContacts) + "<sip:a@h>"}, err: true},
		{name: "too long", values: []string{"<sip:" + strings.Repeat("a", maxContactLen) + "@h>"}, err: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, star, err := parseContacts(tc.values)
			if tc.err {
				if err == nil || !errors.Is(err, errParse) {
					t.Fatalf("parseContacts = %+v, %v; want a parse error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if star != tc.star {
				t.Errorf("star = %v", star)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d contacts %+v, want %d", len(got), got, len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("contact %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParseExpiresHeader(t *testing.T) {
	cases := map[string]struct {
		want uint32
		ok   bool
	}{
		"0": {0, true}, "3600": {3600, true}, " 60 ": {60, true}, "4294967295": {maxExpires, true},
		"4294967296": {maxExpires, true}, "00000000000000000001": {1, true},
		"": {0, false}, "-1": {0, false}, "1.5": {0, false}, "Thu, 01 Dec 1994 16:00:00 GMT": {0, false}, "0x10": {0, false},
	}
	for in, tc := range cases {
		got, err := parseExpires(in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseExpires(%q) = %d, %v; want %d, ok=%v", in, got, err, tc.want, tc.ok)
		}
	}
}

func TestQValues(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "0.": 0, "0.5": 500, "0.05": 50, "0.005": 5, "1": 1000, "1.": 1000, "1.0": 1000, "1.00": 1000} {
		got, err := parseQ(in)
		if err != nil || got != want {
			t.Errorf("parseQ(%q) = %d, %v; want %d", in, got, err, want)
		}
		if back, _ := parseQ(formatQ(got)); back != got {
			t.Errorf("formatQ(%d) = %q does not parse back", got, formatQ(got))
		}
	}
	for _, in := range []string{"", "2", "1.001", "0.0001", ".5", "0,5", "1.x", "01"} {
		if got, err := parseQ(in); err == nil {
			t.Errorf("parseQ(%q) = %d, want an error", in, got)
		}
	}
	for q, want := range map[int]string{0: "0", 1000: "1", 500: "0.5", 50: "0.05", 123: "0.123"} {
		if got := formatQ(q); got != want {
			t.Errorf("formatQ(%d) = %q, want %q", q, got, want)
		}
	}
}

// FuzzParseContacts: any Contact and Expires input either parses into
// values within bounds or fails with errParse; it never panics.
func FuzzParseContacts(f *testing.F) {
	for _, s := range []string{
		`<sip:alice@192.0.2.4>;expires=3600;q=0.5`,
		`"A, B" <sip:a@h;transport=tcp>, sip:b@h;expires=0`,
		`<sip:a@h>;+sip.instance="<urn:uuid:1>";reg-id=1;pub-gruu="sip:x;gr=y"`,
		`*`, `"\"" <sip:a@h>`, `<sip:a@h;gr>`, `<<>>`, `"`, `;;;`, `<sip:a@h>;q=1.000;expires=99999999999999999999`,
	} {
		f.Add(s, "3600")
	}
	f.Fuzz(func(t *testing.T, contact, expires string) {
		cs, _, err := parseContacts([]string{contact})
		if err != nil {
			if !errors.Is(err, errParse) {
				t.Fatalf("error %v does not wrap errParse", err)
			}
		}
		if len(cs) > maxContacts {
			t.Fatalf("%d contacts", len(cs))
		}
		for _, c := range cs {
			if c.uri == "" || (c.q != qNone && (c.q < 0 || c.q > 1000)) || c.regID > 1<<31-1 {
				t.Fatalf("out of bounds: %+v", c)
			}
			if c.rawInst != "" && (c.rawInst[0] != '"' || c.rawInst[len(c.rawInst)-1] != '"') {
				t.Fatalf("instance %q not quoted", c.rawInst)
			}
			_ = formatQ(max(c.q, 0))
			_ = contactValue(Binding{Contact: c.uri, Params: c.params, Q: c.q, RawInstance: c.rawInst}, t0, nil)
		}
		if e, err := parseExpires(expires); err == nil && e > maxExpires {
			t.Fatalf("expires %d", e)
		}
	})
}

// FuzzProcessAtomic: a REGISTER with any Contact and Expires values is
// answered without panicking, and when it is refused the bindings are
// exactly as before (atomic processing).
func FuzzProcessAtomic(f *testing.F) {
	for _, s := range []string{
		`<sip:a@192.0.2.1>;expires=60`, `*`, `<sip:b@h>;expires=5, <sip:a@192.0.2.1>`, `<sip:a@192.0.2.1>;q=2`,
		`<sip:x@h>;+sip.instance="<urn:uuid:1>";reg-id=1`, `<sip:alice@example.com;gr=urn:uuid:1>`,
	} {
		f.Add(s, "0", uint32(2))
		f.Add(s, "3600", uint32(1))
	}
	f.Fuzz(func(t *testing.T, contact, expires string, cseq uint32) {
		if strings.ContainsAny(contact+expires, "\r\n") {
			return
		}
		e := newEnv(t)
		if res := e.process(t, reg{cseq: 1, contacts: []string{"<sip:a@192.0.2.1>", "<sip:keep@192.0.2.9>"}}); res.Code != 200 {
			t.Fatal(res.Code)
		}
		before, _ := e.store.Get(t.Context(), aliceAOR)
		g := reg{cseq: max(cseq, 1), contacts: []string{contact}, expires: expires}
		msg, err := parseMessage(g.text())
		if err != nil {
			return // sipgo refuses it before us
		}
		res := e.r.Process(t.Context(), msg, e.clock.Now())
		after, _ := e.store.Get(t.Context(), aliceAOR)
		switch res.Code {
		case 200:
		case 400, 423, 403, 500:
			if after.Version != before.Version {
				t.Fatalf("refused with %d (%v) but the bindings changed", res.Code, res.Err)
			}
		default:
			t.Fatalf("unexpected %d (%v)", res.Code, res.Err)
		}
	})
}
