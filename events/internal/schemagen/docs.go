package schemagen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// docs maps "Type" and "Type.Field" to the doc comment (or, for a field
// without one, the line comment) of a type or struct field, on one line.
type docs map[string]string

// readDocs collects the doc comments of the Go files (not tests) in dir.
func readDocs(dir string) (docs, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	d := docs{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				d.add(ts.Name.Name, doc)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fl := range st.Fields.List {
					c := fl.Doc
					if c == nil {
						c = fl.Comment
					}
					for _, n := range fl.Names {
						d.add(ts.Name.Name+"."+n.Name, c)
					}
					if len(fl.Names) == 0 { // embedded: named by its type
						if id, ok := fl.Type.(*ast.Ident); ok {
							d.add(ts.Name.Name+"."+id.Name, c)
						}
					}
				}
			}
		}
	}
	return d, nil
}

func (d docs) add(key string, c *ast.CommentGroup) {
	if c == nil {
		return
	}
	if s := strings.Join(strings.Fields(c.Text()), " "); s != "" {
		d[key] = s
	}
}
