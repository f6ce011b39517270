// Package pluginpb is the generated gRPC code of plugin.proto, the protocol
// between the plugin host and a plugin process. The generated files are
// committed; builds never need protoc.
package pluginpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative plugin.proto
