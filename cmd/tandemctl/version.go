package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/tandem-sip/tandem/events"
)

// buildVersion is set at link time: -ldflags "-X main.buildVersion=v1.2.3".
// Otherwise the module version of the build (or "devel") is shown.
var buildVersion = ""

// versionInfo is what tandemctl version prints.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go"`
	API     string `json:"api"` // the wire contract's subject prefix, e.g. tandem.v1
}

func currentVersion() versionInfo {
	v := versionInfo{Version: buildVersion, Go: runtime.Version(), API: events.Prefix}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v.Commit = s.Value
			}
		}
	}
	if v.Version == "" || v.Version == "(devel)" {
		v.Version = "devel"
	}
	return v
}

// version: tandemctl version. It needs no connection.
func version(a *app, args []string) error {
	fs := a.flagSet("version")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("version takes no arguments")
	}
	v := currentVersion()
	if a.g.json {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", data)
		return err
	}
	commit := ""
	if v.Commit != "" {
		commit = " commit " + v.Commit
	}
	_, err = fmt.Fprintf(a.stdout, "tandemctl %s%s (%s), NATS API %s\n", v.Version, commit, v.Go, v.API)
	return err
}
