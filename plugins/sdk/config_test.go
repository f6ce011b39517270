package sdk_test

import (
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/plugins/sdk"
)

func TestDecodeConfig(t *testing.T) {
	type cfg struct {
		Name string `json:"name"`
	}
	for _, tc := range []struct {
		data, want, err string
	}{
		{"", "default", ""},
		{" null ", "default", ""},
		{`{"name":"x"}`, "x", ""},
		{`{"nmae":"x"}`, "default", `unknown field "nmae"`},
		{`{"name":`, "default", "unexpected EOF"},
	} {
		c := cfg{Name: "default"}
		err := sdk.DecodeConfig([]byte(tc.data), &c)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("DecodeConfig(%q): %v, want error %q", tc.data, err, tc.err)
		}
		if tc.err == "" && c.Name != tc.want {
			t.Errorf("DecodeConfig(%q): name %q, want %q", tc.data, c.Name, tc.want)
		}
	}
}
