package natsapi

import "testing"

func TestRedact(t *testing.T) {
	tests := map[string]string{
		"nats://127.0.0.1:4222":                        "nats://127.0.0.1:4222",
		"nats://user:secret@h:4222":                    "nats://user:xxxxx@h:4222",
		"nats://s3cr3tt0ken@h:4222,nats://a:b@h2:4222": "nats://xxxxx@h:4222,nats://a:xxxxx@h2:4222",
	}
	for in, want := range tests {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}
