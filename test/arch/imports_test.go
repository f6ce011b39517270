package arch

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/tandem-sip/tandem"

// deps lists the packages pkg depends on, transitively.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", module+"/"+pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	return strings.Fields(string(out))
}

// TestImportArrows keeps the arrows of DESIGN.md §2: the core never imports
// config, apps or plugins; events imports only the standard library; sipgo
// is touched only under b2bua/internal/sipx (and the guard beside it).
func TestImportArrows(t *testing.T) {
	forbidden := map[string][]string{
		"b2bua":  {module + "/config", module + "/apps", module + "/plugins", module + "/cmd"},
		"events": {module + "/", "github.com/", "golang.org/", "gopkg.in/"},
		"config": {module + "/apps", module + "/cmd"},
	}
	for pkg, bad := range forbidden {
		for _, d := range deps(t, pkg) {
			if d == module+"/"+pkg {
				continue
			}
			for _, b := range bad {
				if strings.HasPrefix(d, b) {
					t.Errorf("%s imports %s (forbidden prefix %s)", pkg, d, b)
				}
			}
		}
	}
}

// TestSipgoOnlyInSipx checks that no package outside b2bua/internal imports
// sipgo directly (test packages and the test phones excepted).
func TestSipgoOnlyInSipx(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkg := f[0]
		if strings.HasPrefix(pkg, module+"/b2bua/internal/") || strings.HasPrefix(pkg, module+"/test/") {
			continue
		}
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, "github.com/emiago/sipgo") {
				t.Errorf("%s imports %s; sipgo belongs in b2bua/internal/sipx", pkg, imp)
			}
		}
	}
}

// TestAppsUseTheContract keeps apps on the wire contract (DESIGN.md §2:
// apps import events and plugins/sdk, never b2bua): no app depends on the
// core, the configuration loader, the plugin host or the commands.
func TestAppsUseTheContract(t *testing.T) {
	out, err := exec.Command("go", "list", module+"/apps/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list apps: %v\n%s", err, out)
	}
	bad := []string{module + "/b2bua", module + "/config", module + "/plugins/host", module + "/cmd"}
	for _, app := range strings.Fields(string(out)) {
		for _, d := range deps(t, strings.TrimPrefix(app, module+"/")) {
			for _, b := range bad {
				if strings.HasPrefix(d, b) {
					t.Errorf("%s imports %s (forbidden prefix %s)", app, d, b)
				}
			}
		}
	}
}
