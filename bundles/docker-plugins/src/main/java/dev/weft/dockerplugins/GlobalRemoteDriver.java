package dev.weft.dockerplugins;

import dev.weft.linux.Kernel;
import dev.weft.spi.Discovery;
import dev.weft.spi.DriverContext;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A plugin of global scope ({@code GetCapabilities} answered {@code "Scope": "global"}): as its
 * local sibling, and it follows the cluster's hosts with {@code DiscoverNew}/{@code DiscoverDelete}
 * (node discovery: the host's underlay address, this host's as {@code BindAddress}).
 */
final class GlobalRemoteDriver extends RemoteDriver implements Discovery {

    GlobalRemoteDriver(PluginClient plugin, NetworkApi.Capabilities caps, Kernel kernel, DriverContext context,
                       Function<String, String> addressSpace, Executor undo) {
        super(plugin, caps, kernel, context, addressSpace, undo);
    }

    @Override
    public void nodeJoined(Node node) {
        plugin.call(NetworkApi.DISCOVER_NEW, NetworkApi.discover(node.address(),
                context.cluster().map(c -> c.advertise()).orElse(null)));
    }

    @Override
    public void nodeLeft(Node node) {
        plugin.call(NetworkApi.DISCOVER_DELETE, NetworkApi.discover(node.address(),
                context.cluster().map(c -> c.advertise()).orElse(null)));
    }
}
