package config

import (
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
)

// Logger builds the logger c describes, writing to w (os.Stderr if nil). An
// unknown level logs at info and an unknown format as text; Validate
// reports both.
func (c LogConfig) Logger(w io.Writer) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	opts := &slog.HandlerOptions{Level: c.level()}
	if strings.EqualFold(c.Format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (c LogConfig) level() slog.Level {
	switch strings.ToLower(c.Level) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// LogValue logs the configuration key by key ("sip.listen", "nats.url", …)
// with the user information of URLs (a NATS user and password or token)
// replaced by xxxxx.
func (c Config) LogValue() slog.Value {
	v := reflect.ValueOf(c)
	ls := leaves()
	attrs := make([]slog.Attr, 0, len(ls))
	for _, l := range ls {
		x := v.FieldByIndex(l.index).Interface()
		if s, ok := x.(string); ok && strings.Contains(s, "://") {
			parts := strings.Split(s, ",")
			for i, p := range parts {
				parts[i] = redactURL(p)
			}
			x = strings.Join(parts, ",")
		}
		attrs = append(attrs, slog.Any(l.path, x))
	}
	return slog.GroupValue(attrs...)
}
