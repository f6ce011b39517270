package wire

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/tandem-sip/tandem/plugins/internal/pluginpb"
)

// GRPCPlugin is the go-plugin plugin of both sides: the process serves
// Impl; the host dispenses a pluginpb.PluginClient.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is the plugin process's implementation; nil on the host.
	Impl pluginpb.PluginServer
}

// GRPCServer registers Impl.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("wire: no plugin server")
	}
	pluginpb.RegisterPluginServer(s, p.Impl)
	return nil
}

// GRPCClient returns a pluginpb.PluginClient on the connection.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return pluginpb.NewPluginClient(c), nil
}

// Plugins is the plugin set of both sides.
func Plugins(server pluginpb.PluginServer) plugin.PluginSet {
	return plugin.PluginSet{PluginName: &GRPCPlugin{Impl: server}}
}
