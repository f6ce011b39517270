package sdk_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The plugin in README.md is testdata/readme/main.go, word for word, it
// builds, and it stays under 50 lines.
func TestREADMEPlugin(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile(filepath.Join("testdata", "readme", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```go\n"+string(code)+"```") {
		t.Error("README.md does not show testdata/readme/main.go verbatim")
	}
	if n := strings.Count(string(code), "\n"); n >= 50 {
		t.Errorf("the README's plugin has %d lines, want under 50", n)
	}
	out, err := exec.Command("go", "build", "-o", filepath.Join(t.TempDir(), "blocklist"), "./testdata/readme").CombinedOutput()
	if err != nil {
		t.Errorf("go build: %v\n%s", err, out)
	}
}
