package dev.weft.driver.bridge;

import dev.weft.api.PortBinding;
import dev.weft.api.WeftException;
import dev.weft.net.IpPrefix;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.NetworkConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * The {@link Firewaller} of firewall mode {@code none} (netavark's {@code fwnone}): Weft touches
 * no firewall at all, so there is nothing to write, remove, sweep or reapply. Without NAT a
 * published port could not reach its sandbox: {@link #publish} refuses, before anything is in
 * force, saying what would work. Isolation between networks, ICC off and masquerading are then
 * the administrator's business.
 */
final class NoFirewall implements Firewaller {

    @Override
    public void addNetwork(String networkId, FirewallScript.Net net) {
        // no rules
    }

    @Override
    public void removeNetwork(String networkId) {
        // nothing was written
    }

    @Override
    public void addEndpoint(EndpointConfig endpoint, String hostEnd, boolean icc) {
        // no ICC-off set to put it in
    }

    @Override
    public void removeEndpoint(EndpointConfig endpoint, String hostEnd, boolean icc) {
        // nothing was written, no NAT flow to forget
    }

    @Override
    public void publish(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports, InetAddress defaultHost) {
        throw new WeftException.InvalidRequest("network \"" + network.name() + "\": the firewall mode is none, so "
                + "ports cannot be published; set the firewall mode to nftables or drop -p");
    }

    @Override
    public void restorePorts(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports,
                             InetAddress defaultHost) {
        // ports recorded in another mode: there is no NAT to put back
    }

    @Override
    public void unpublish(NetworkConfig network, EndpointConfig endpoint, List<PortBinding> ports, InetAddress defaultHost) {
        // nothing was published
    }

    @Override
    public List<String> sweep(List<IpPrefix> subnets, Set<String> liveHostEnds) {
        return List.of();
    }

    @Override
    public void reapply() {
        // no tables to write
    }

    @Override
    public String script() {
        return "";
    }
}
