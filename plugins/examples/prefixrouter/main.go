package main

import (
	"github.com/tandem-sip/tandem/plugins/examples/prefixrouter/prefix"
	"github.com/tandem-sip/tandem/plugins/sdk"
)

func main() { sdk.Serve(prefix.Plugin) }
