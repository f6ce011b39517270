package events_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStdlibOnly keeps the rule of doc.go: package events, and the schema
// generator under it, import only the standard library (and events).
func TestStdlibOnly(t *testing.T) {
	const self = "github.com/tandem-sip/tandem/events"
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if strings.Contains(first, ".") && path != self && !strings.HasPrefix(path, self+"/") {
				t.Errorf("%s imports %s: only the standard library is allowed", p, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
