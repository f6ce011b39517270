package config

import (
	"io"
	"log/slog"
	"os"
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
