package b2bua

import (
	"reflect"
	"testing"
)

func TestMatchRoute(t *testing.T) {
	rules, err := compileRoutes([]Route{
		{Name: "zero", User: `^0$`, Reject: 403, Reason: "Forbidden"},
		{Name: "nine", User: `^9(\d+)$`, Target: "sip:$1@127.0.0.1:5090"},
		{Name: "named", User: `^(?P<ext>1\d{3})$`, Host: `^(?P<dom>[a-z]+)\.example$`, Target: "sip:${ext}@${dom}.internal"},
		{Name: "busy", User: `^busy$`, Reject: 486},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, host string
		want       RouteResult
	}{
		{"0", "x", RouteResult{Action: "reject", Code: 403, Reason: "Forbidden", By: "config", Rule: "zero"}},
		{"912345", "x", RouteResult{Action: "forward", Target: "sip:12345@127.0.0.1:5090", By: "config", Rule: "nine"}},
		{"1234", "acme.example", RouteResult{Action: "forward", Target: "sip:1234@acme.internal", By: "config", Rule: "named"}},
		{"1234", "acme.other", RouteResult{Action: "reject", Code: 404, Reason: "Not Found", By: "default"}},
		{"busy", "", RouteResult{Action: "reject", Code: 486, Reason: "Busy Here", By: "config", Rule: "busy"}},
		{"9", "x", RouteResult{Action: "reject", Code: 404, Reason: "Not Found", By: "default"}},
		{"", "", RouteResult{Action: "reject", Code: 404, Reason: "Not Found", By: "default"}},
	}
	for _, tt := range tests {
		if got := matchRoute(rules, tt.user, tt.host); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("matchRoute(%q, %q) = %+v, want %+v", tt.user, tt.host, got, tt.want)
		}
	}
}

func TestCompileRoutesBadRegexp(t *testing.T) {
	if _, err := compileRoutes([]Route{{User: "("}}); err == nil {
		t.Fatal("want error for bad regexp")
	}
}
