package events_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/events"
)

// typeRE is the grammar of type strings: tandem.<noun>.v<N>.<verb>[.<verb>...].
var typeRE = regexp.MustCompile(`^tandem\.([a-z]+)\.v([0-9]+)\.([a-z_]+(?:\.[a-z_]+)*)$`)

// eventTypeRE is the stricter grammar of event types: tandem.<noun>.v1.<verb>.
var eventTypeRE = regexp.MustCompile(`^tandem\.[a-z]+\.v1\.[a-z_]+$`)

// versionRE finds the version at the end of a Go type name: CallCreatedV1.
var versionRE = regexp.MustCompile(`[a-z]V([0-9]+)$`)

func goType(s events.Spec) reflect.Type { return reflect.TypeOf(s.New()).Elem() }

func TestRegistryEvents(t *testing.T) {
	names := map[string]string{}
	n := 0
	for _, s := range events.Registry {
		if s.Kind != events.KindEvent {
			continue
		}
		n++
		ev, ok := s.New().(events.Event)
		if !ok {
			t.Errorf("%s: %T is not an events.Event", s.Type, s.New())
			continue
		}
		if !eventTypeRE.MatchString(s.Type) {
			t.Errorf("%s: event type does not follow tandem.<noun>.v1.<verb>", s.Type)
		}
		if ev.Name() != s.Name {
			t.Errorf("%s: Registry Name %q, but %T.Name() = %q", s.Type, s.Name, ev, ev.Name())
		}
		if prev, dup := names[ev.Name()]; dup {
			t.Errorf("event name %q used by %s and %s", ev.Name(), prev, s.Type)
		}
		names[ev.Name()] = s.Type
		if subj := events.EventSubject("n", "c", ev.Name()); !strings.HasSuffix(subj, ".call.c."+ev.Name()) || strings.Count(subj, ".") != 6 {
			t.Errorf("%s: name %q does not make one subject token: %s", s.Type, ev.Name(), subj)
		}
	}
	if n != 36 {
		t.Errorf("%d events in Registry, want 36", n)
	}
}

func TestRegistryTypes(t *testing.T) {
	seen := map[string]bool{}
	kinds := map[events.Kind]bool{
		events.KindEvent: true, events.KindCommandRequest: true, events.KindCommandReply: true,
		events.KindDecisionRequest: true, events.KindDecisionAnswer: true,
	}
	for _, s := range events.Registry {
		if seen[s.Type] {
			t.Errorf("%s registered twice", s.Type)
		}
		seen[s.Type] = true
		if !kinds[s.Kind] {
			t.Errorf("%s: unknown kind %q", s.Type, s.Kind)
		}
		a, b := s.New(), s.New()
		if reflect.TypeOf(a).Kind() != reflect.Pointer || reflect.TypeOf(a).Elem().Kind() != reflect.Struct || a == b {
			t.Errorf("%s: New must return a new pointer to a struct, got %T", s.Type, a)
			continue
		}
		m := typeRE.FindStringSubmatch(s.Type)
		if m == nil {
			t.Errorf("%s: type does not follow tandem.<noun>.v<N>.<verb>", s.Type)
			continue
		}
		if name := goType(s).Name(); versionRE.FindStringSubmatch(name) == nil || versionRE.FindStringSubmatch(name)[1] != m[2] {
			t.Errorf("%s: Go type %s does not end in V%s", s.Type, name, m[2])
		}
		if _, isEvent := s.New().(events.Event); isEvent != (s.Kind == events.KindEvent) {
			t.Errorf("%s: kind %s, but implements events.Event = %v", s.Type, s.Kind, isEvent)
		}
		if got, ok := events.Lookup(s.Type); !ok || got.Type != s.Type {
			t.Errorf("Lookup(%q) = %v, %v", s.Type, got, ok)
		}
	}
	if _, ok := events.Lookup("tandem.call.v1.nope"); ok {
		t.Error("Lookup of an unknown type succeeded")
	}
}

// TestRegistryCommandsAndDecisions: every verb and decision has one request
// and one answer, named after its subject token, and every command request
// and reply carries the request id.
func TestRegistryCommandsAndDecisions(t *testing.T) {
	type pair struct{ req, ans int }
	cmds := map[string]*pair{events.VerbCallsList: {}, events.VerbCallsGet: {}, events.VerbCallsHangup: {},
		events.VerbLegsHold: {}, events.VerbLegsResume: {}, events.VerbLegsDTMF: {}, events.VerbLegsRequest: {},
		events.VerbLegsHangup: {}, events.VerbCallsClaim: {}, events.VerbCallsRelease: {},
		events.VerbLegsOriginate: {}, events.VerbLegsAnswer: {}, events.VerbLegsReject: {}, events.VerbLegsRedirect: {},
		events.VerbLegsBridge: {}, events.VerbLegsUnbridge: {},
		events.VerbTransfersBlind: {}, events.VerbTransfersAttended: {},
		events.VerbMixerCreate: {}, events.VerbMixerDestroy: {}, events.VerbMixerJoin: {}, events.VerbMixerLeave: {},
		events.VerbMixerSet: {}, events.VerbMixerList: {}, events.VerbCallsOriginate: {}, events.VerbPhonesRefer: {},
		events.VerbRegistrationsList: {}}
	decides := map[string]*pair{}
	for _, d := range []string{events.DecideRoute, events.DecideRefer, events.DecideSubscribe} {
		decides[strings.TrimPrefix(d, events.DecidePrefix+".")] = &pair{}
	}
	for _, s := range events.Registry {
		var p *pair
		var want string
		switch s.Kind {
		case events.KindEvent:
			continue
		case events.KindCommandRequest, events.KindCommandReply:
			p, want = cmds[s.Name], "tandem.cmd.v1."+s.Name+"."
			if f, ok := goType(s).FieldByName("RequestID"); !ok || f.Tag.Get("json") != "request_id" {
				t.Errorf("%s: no request_id", s.Type)
			}
		case events.KindDecisionRequest, events.KindDecisionAnswer:
			p, want = decides[s.Name], "tandem.decide.v1."+s.Name+"."
		}
		if p == nil {
			t.Errorf("%s: %s %q has no subject", s.Type, s.Kind, s.Name)
			continue
		}
		switch s.Kind {
		case events.KindCommandRequest:
			p.req++
			want += "request"
		case events.KindCommandReply:
			p.ans++
			want += "reply"
		case events.KindDecisionRequest:
			p.req++
			want += "request"
		case events.KindDecisionAnswer:
			p.ans++
			want += "decision"
		}
		if s.Type != want {
			t.Errorf("%s: type should be %s", s.Type, want)
		}
	}
	for what, m := range map[string]map[string]*pair{"command": cmds, "decision": decides} {
		for name, p := range m {
			if p.req != 1 || p.ans != 1 {
				t.Errorf("%s %s: %d requests and %d answers in Registry, want 1 and 1", what, name, p.req, p.ans)
			}
		}
	}
}

// TestRegistryComplete: every exported versioned struct type of the package
// is registered, or is a part of a registered type (CallInfoV1).
func TestRegistryComplete(t *testing.T) {
	known := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		switch ty.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			walk(ty.Elem())
		case reflect.Struct:
			if known[ty.Name()] {
				return
			}
			known[ty.Name()] = true
			for i := range ty.NumField() {
				walk(ty.Field(i).Type)
			}
		}
	}
	for _, s := range events.Registry {
		walk(goType(s))
	}

	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if _, isStruct := ts.Type.(*ast.StructType); isStruct && ts.Name.IsExported() &&
				versionRE.MatchString(ts.Name.Name) && !known[ts.Name.Name] {
				t.Errorf("%s: type %s is neither in events.Registry nor part of a registered type", e.Name(), ts.Name.Name)
			}
			return false
		})
	}
}

func TestErrorCodes(t *testing.T) {
	codes := events.ErrorCodes()
	if len(codes) == 0 || !slices.IsSorted(codes) {
		t.Fatalf("ErrorCodes() = %v, want sorted and not empty", codes)
	}
	for i, c := range codes {
		if int(c) != i+1 {
			t.Errorf("ErrorCodes()[%d] = %d: codes are numbered from 1 without gaps", i, c)
		}
		if strings.HasPrefix(c.String(), "code_") {
			t.Errorf("code %d has no name", c)
		}
	}
}
