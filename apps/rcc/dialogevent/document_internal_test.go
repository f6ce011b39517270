package dialogevent

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestDocument(t *testing.T) {
	alice := nameAddr{Display: `Alice "A" <Smith>`, URI: "sip:alice@example.com"}
	bob := nameAddr{URI: "sip:bob@example.com"}
	for _, tt := range []struct {
		name    string
		version uint64
		full    bool
		ds      []Dialog
		want    string
	}{
		{"empty full state", 0, true, nil,
			`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:bob@example.com"></dialog-info>`},
		{"early recipient", 1, false, []Dialog{{
			ID: "c1-b1", CallID: "x@tandem", Direction: Recipient, State: Early,
			Local: Party{Identity: bob, Target: "sip:bob@10.0.0.2:5060"}, Remote: Party{Identity: alice},
		}},
			`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="partial" entity="sip:bob@example.com">` +
				`<dialog id="c1-b1" call-id="x@tandem" direction="recipient"><state>early</state>` +
				`<local><identity>sip:bob@example.com</identity><target uri="sip:bob@10.0.0.2:5060"></target></local>` +
				`<remote><identity display="Alice &#34;A&#34; &lt;Smith&gt;">sip:alice@example.com</identity></remote></dialog></dialog-info>`},
		{"rejected, with its code", 7, false, []Dialog{{
			ID: "c1-a", Direction: Initiator, State: Terminated, Event: Rejected, Code: 486,
		}},
			`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="7" state="partial" entity="sip:bob@example.com">` +
				`<dialog id="c1-a" direction="initiator"><state event="rejected" code="486">terminated</state></dialog></dialog-info>`},
		{"terminated by bye", 3, false, []Dialog{{
			ID: "c1-b1", Direction: Recipient, State: Terminated, Event: RemoteBye, Code: 200,
		}},
			`<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="partial" entity="sip:bob@example.com">` +
				`<dialog id="c1-b1" direction="recipient"><state event="remote-bye" code="200">terminated</state></dialog></dialog-info>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, err := document("sip:bob@example.com", tt.version, tt.full, tt.ds)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := strings.CutPrefix(string(body), xml.Header)
			if !ok || got != tt.want {
				t.Fatalf("document:\n%s\nwant:\n%s", body, tt.want)
			}
		})
	}
}

// What a subscriber parses back: the namespace, the version, each dialog.
func TestDocumentParses(t *testing.T) {
	ds := []Dialog{
		{ID: "c1-a", CallID: "a@x", Direction: Initiator, State: Confirmed,
			Local: Party{Identity: nameAddr{"Al\x01ice", "sip:alice@x"}}, Remote: Party{Identity: nameAddr{"", "sip:bob@x"}}},
		{ID: "c2-b1", Direction: Recipient, State: Terminated, Event: Cancelled},
	}
	body, err := document("sip:alice@x", 42, true, ds)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		XMLName xml.Name
		Version string `xml:"version,attr"`
		State   string `xml:"state,attr"`
		Dialogs []struct {
			ID    string `xml:"id,attr"`
			State struct {
				Event string `xml:"event,attr"`
				Value string `xml:",chardata"`
			} `xml:"state"`
			Local struct {
				Identity struct {
					Display string `xml:"display,attr"`
				} `xml:"identity"`
			} `xml:"local"`
		} `xml:"dialog"`
	}
	if err := xml.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v:\n%s", err, body)
	}
	if got.XMLName.Space != Namespace || got.XMLName.Local != "dialog-info" || got.Version != "42" || got.State != "full" ||
		len(got.Dialogs) != 2 || got.Dialogs[0].State.Value != "confirmed" || got.Dialogs[1].State.Event != "cancelled" ||
		got.Dialogs[0].Local.Identity.Display != "Al\uFFFDice" {
		t.Fatalf("parsed %+v from\n%s", got, body)
	}
}

// Whatever the parties' names and URIs hold (they come from the calls'
// From and To): the document parses, with the same dialog.
func FuzzDocument(f *testing.F) {
	f.Add("Alice", "sip:alice@x")
	f.Add("\x00<&\"'>\xff", "]]>\r\n")
	f.Fuzz(func(t *testing.T, display, uri string) {
		d := Dialog{ID: display + uri, Direction: Recipient, State: Confirmed,
			Local: Party{Identity: nameAddr{display, uri}, Target: uri}, Remote: Party{Identity: nameAddr{URI: display}}}
		body, err := document("sip:bob@x", 3, false, []Dialog{d})
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Dialogs []struct {
				ID string `xml:"id,attr"`
			} `xml:"dialog"`
		}
		if err := xml.Unmarshal(body, &got); err != nil {
			t.Fatalf("%v:\n%s", err, body)
		}
		if len(got.Dialogs) != 1 {
			t.Fatalf("%d dialogs in\n%s", len(got.Dialogs), body)
		}
	})
}
