package dev.weft.dns.internal;

import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.dns.DnsConfig;
import dev.weft.dns.DnsServer;
import dev.weft.linux.Kernel;
import dev.weft.spi.ControllerListener;
import dev.weft.spi.DriverContext;
import dev.weft.spi.NameService;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The DNS server as an OSGi service, under both {@link ControllerListener} (core's whiteboard
 * subscribes it: snapshot, then events) and {@link NameService} (core names it in sandboxes'
 * resolv.conf). A new configuration of PID {@code dev.weft.dns} restarts it (DS: deactivate,
 * activate), which core sees as the service going and coming back.
 */
@Component(service = {ControllerListener.class, NameService.class}, configurationPid = "dev.weft.dns",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DnsConfiguration.class)
public final class DnsComponent implements NameService {
    private final DnsServer server;

    @Activate
    public DnsComponent(@Reference Controller controller, @Reference Kernel kernel, @Reference DriverContext context,
                        DnsConfiguration c) {
        this.server = new DnsServer(controller, kernel, context,
                new DnsConfig(c.upstreamTimeoutMillis(), c.maxConcurrentForwards(), c.tcpIdleMillis(), c.maxTcpConnections()));
    }

    @Deactivate
    void deactivate() {
        server.close();
    }

    @Override
    public List<InetAddress> servers(String networkId) {
        return server.servers(networkId);
    }

    @Override
    public Optional<String> remark(String networkId) {
        return server.remark(networkId);
    }

    @Override
    public String domain() {
        return server.domain();
    }

    @Override
    public void snapshot(List<NetworkInfo> networks, List<SandboxInfo> sandboxes) {
        server.snapshot(networks, sandboxes);
    }

    @Override
    public void networkCreated(NetworkInfo network) {
        server.networkCreated(network);
    }

    @Override
    public void networkAvailable(NetworkInfo network) {
        server.networkAvailable(network);
    }

    @Override
    public void networkRemoved(NetworkInfo network) {
        server.networkRemoved(network);
    }

    @Override
    public void endpointJoined(EndpointInfo endpoint) {
        server.endpointJoined(endpoint);
    }

    @Override
    public void endpointLeft(EndpointInfo endpoint) {
        server.endpointLeft(endpoint);
    }
}
