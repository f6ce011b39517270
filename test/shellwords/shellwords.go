package shellwords

import (
	"fmt"
	"os"
	"strings"
)

// Split splits a command line as sh would for the examples: single
// quotes literal, double quotes and bare words expanding $NAME from vars.
// A variable that is not set fails, as set -u would.
func Split(line string, vars map[string]string) ([]string, error) {
	var (
		words   []string
		cur     strings.Builder
		seg     strings.Builder // a bare or double-quoted run, expanded when it ends
		in      bool            // inside a word
		quote   rune
		missing []string
	)
	expand := func() {
		cur.WriteString(os.Expand(seg.String(), func(k string) string {
			v, ok := vars[k]
			if !ok {
				missing = append(missing, k)
			}
			return v
		}))
		seg.Reset()
	}
	for _, r := range line {
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
				continue
			}
			cur.WriteRune(r)
		case quote == '"':
			if r == '"' {
				expand()
				quote = 0
				continue
			}
			seg.WriteRune(r)
		case r == '\'' || r == '"':
			expand()
			quote, in = r, true
		case r == ' ' || r == '\t':
			expand()
			if in {
				words = append(words, cur.String())
			}
			cur.Reset()
			in = false
		default:
			seg.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c", quote)
	}
	expand()
	if in {
		words = append(words, cur.String())
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("unset variables %q", missing)
	}
	return words, nil
}
