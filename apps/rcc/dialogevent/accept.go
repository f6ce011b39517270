package dialogevent

import (
	"strconv"
	"strings"
)

// ContentType is the media type of the documents the package sends
// (RFC 4235 §4).
const ContentType = "application/dialog-info+xml"

// acceptsDialogInfo reports whether a SUBSCRIBE's Accept (the values of all
// its Accept headers, comma-separated; "" when it has none) allows
// dialog-info documents. No Accept means the package's default format
// (RFC 6665 §4.1.2); otherwise one of its media ranges must match
// application/dialog-info+xml (application/*, */* included) with a q above
// 0. Media types are compared case-insensitively.
func acceptsDialogInfo(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, r := range strings.Split(accept, ",") {
		typ, params, _ := strings.Cut(r, ";")
		typ = strings.ToLower(strings.TrimSpace(typ))
		if typ != ContentType && typ != "application/*" && typ != "*/*" {
			continue
		}
		if qualityOf(params) > 0 {
			return true
		}
	}
	return false
}

// qualityOf is the q parameter among a media range's parameters (1 when
// there is none; 0 when it does not read as a number in 0-1).
func qualityOf(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}
