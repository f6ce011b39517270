package sdk

import (
	"bytes"
	"encoding/json"
)

// DecodeConfig decodes a plugin's configuration (JSON, as Client.RawConfig
// gives it) into v, a pointer, strictly: a key v's type does not declare is
// an error, so that a typo is not silently ignored. Empty data or null
// leaves v as it is. The error is the decoder's, for the caller to name
// its plugin in.
func DecodeConfig(data []byte, v any) error {
	if t := bytes.TrimSpace(data); len(t) == 0 || string(t) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
