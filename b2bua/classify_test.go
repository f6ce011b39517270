package b2bua

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		method string
		code   int
		want   FailureScope
	}{
		// transaction only (DESIGN.md §3 list)
		{"INVITE", 400, ScopeTransaction}, {"INVITE", 401, ScopeTransaction}, {"INVITE", 402, ScopeTransaction},
		{"INVITE", 403, ScopeTransaction}, {"INVITE", 406, ScopeTransaction}, {"INVITE", 407, ScopeTransaction},
		{"INVITE", 412, ScopeTransaction}, {"INVITE", 413, ScopeTransaction}, {"INVITE", 414, ScopeTransaction},
		{"INVITE", 415, ScopeTransaction}, {"INVITE", 417, ScopeTransaction}, {"INVITE", 420, ScopeTransaction},
		{"INVITE", 421, ScopeTransaction}, {"INVITE", 422, ScopeTransaction}, {"INVITE", 423, ScopeTransaction},
		{"INVITE", 428, ScopeTransaction}, {"INVITE", 429, ScopeTransaction}, {"INVITE", 433, ScopeTransaction},
		{"INVITE", 436, ScopeTransaction}, {"INVITE", 437, ScopeTransaction}, {"INVITE", 438, ScopeTransaction},
		{"INVITE", 486, ScopeTransaction}, {"INVITE", 487, ScopeTransaction}, {"INVITE", 488, ScopeTransaction},
		{"INVITE", 491, ScopeTransaction}, {"INVITE", 493, ScopeTransaction}, {"INVITE", 494, ScopeTransaction},
		{"INVITE", 500, ScopeTransaction}, {"INVITE", 599, ScopeTransaction}, {"INVITE", 503, ScopeTransaction},
		{"INVITE", 504, ScopeTransaction}, {"INVITE", 505, ScopeTransaction}, {"INVITE", 513, ScopeTransaction},
		{"INVITE", 580, ScopeTransaction}, {"INVITE", 600, ScopeTransaction}, {"INVITE", 603, ScopeTransaction},
		{"INVITE", 606, ScopeTransaction}, {"UPDATE", 488, ScopeTransaction},
		// 405 / 501: usage only when the method is integral to the usage
		{"INVITE", 405, ScopeUsage}, {"INVITE", 501, ScopeUsage}, {"NOTIFY", 501, ScopeUsage},
		{"INFO", 405, ScopeTransaction}, {"INFO", 501, ScopeTransaction}, {"MESSAGE", 501, ScopeTransaction},
		{"OPTIONS", 405, ScopeTransaction}, {"FOO", 501, ScopeTransaction},
		// destroys usage
		{"INVITE", 408, ScopeUsage}, {"INVITE", CodeTimeout, ScopeUsage}, {"INFO", CodeTimeout, ScopeUsage},
		{"INVITE", 480, ScopeUsage}, {"INVITE", 481, ScopeUsage}, {"BYE", 481, ScopeUsage}, {"NOTIFY", 489, ScopeUsage},
		{"CANCEL", 481, ScopeTransaction},
		// destroys dialog
		{"INVITE", 404, ScopeDialog}, {"INVITE", 410, ScopeDialog}, {"INVITE", 416, ScopeDialog},
		{"INVITE", 482, ScopeDialog}, {"INVITE", 483, ScopeDialog}, {"INVITE", 484, ScopeDialog},
		{"INVITE", 485, ScopeDialog}, {"INVITE", 502, ScopeDialog}, {"INVITE", 604, ScopeDialog},
		{"INFO", 404, ScopeDialog},
		// not failures
		{"INVITE", 200, ScopeTransaction}, {"INVITE", 302, ScopeTransaction},
	}
	for _, tt := range tests {
		if got := Classify(tt.method, tt.code); got != tt.want {
			t.Errorf("Classify(%s, %d) = %v, want %v", tt.method, tt.code, got, tt.want)
		}
	}
}
