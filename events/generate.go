package events

// The JSON Schemas under schema/ are generated from Registry; see doc.go.
//go:generate go run ./internal/schemagen/cmd/schemagen -out schema -src .
