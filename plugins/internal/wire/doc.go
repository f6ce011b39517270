// Package wire is what the plugin host and a plugin process must agree on
// to find each other: the go-plugin handshake and the one gRPC plugin they
// exchange (the pluginpb service). The SDK serves it, the host dispenses
// it; plugin authors never see it.
package wire
