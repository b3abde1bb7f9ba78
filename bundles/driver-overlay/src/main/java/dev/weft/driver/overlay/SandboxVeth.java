package dev.weft.driver.overlay;

import dev.weft.api.WeftException;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.LinkSpec;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.SandboxConfig;
import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A sandbox's interface on an overlay: a veth born with one end in the sandbox under its final
 * name and the other ({@code v<endpoint short id>}) in the per-network namespace as a port of
 * {@code br0}, both at the network's MTU. The MAC is the user's, else {@code 02:42:} and the IPv4
 * address (Docker's overlay: a peer's MAC follows from its address), else random locally
 * administered. No default route: the overlay gives none (egress through a gateway bridge is a
 * later step).
 */
final class SandboxVeth {
    private SandboxVeth() {}

    /** The name of the veth's end in the per-network namespace. */
    static String segmentEnd(EndpointConfig endpoint) {
        return "v" + endpoint.shortId();
    }

    static MacAddress mac(EndpointConfig endpoint) {
        if (endpoint.mac() != null) {
            return endpoint.mac();
        }
        if (endpoint.ipv4() != null && endpoint.ipv4().address() instanceof Inet4Address v4) {
            return MacAddress.fromIpv4(v4);
        }
        return MacAddress.randomLocal();
    }

    /** Makes the veth and configures the sandbox's end; on failure deletes the pair. Returns the MAC it has. */
    static MacAddress plumb(Kernel kernel, NetNamespace segment, int mtu, EndpointConfig endpoint,
                            SandboxConfig sandbox, String mark) {
        String end = segmentEnd(endpoint);
        MacAddress mac = mac(endpoint);
        try {
            kernel.inNamespace(segment, rt -> {
                LinkSpec spec = LinkSpec.veth(end, endpoint.interfaceName(), sandbox.namespace()).mtu(mtu)
                        .master(SegmentNamespace.BRIDGE).alias(mark);
                spec.peer().mtu(mtu).mac(mac);
                rt.batch().createLink(spec).barrier().setLink(LinkChange.of(end).noIpv6LinkLocal().up()).send();
                return null;
            });
        } catch (KernelException e) {
            if (e.isExists() && kernel.inNamespace(segment, rt -> rt.link(end)).isEmpty()) {
                throw (RuntimeException) new WeftException.Conflict("sandbox \"" + sandbox.name() + "\": its namespace "
                        + sandbox.namespace().path() + " already has an interface named \"" + endpoint.interfaceName()
                        + "\"; choose another name with --driver-opt com.docker.network.endpoint.ifname=NAME, or "
                        + "remove that interface first").initCause(e);
            }
            throw e;
        }
        try {
            return kernel.inNamespace(sandbox.namespace(), sysctls(endpoint), rt -> {
                int index = rt.index(endpoint.interfaceName());
                rt.interfaceUp(index, mark, endpoint.ipv4(), endpoint.ipv6()).send();
                return rt.link(index).map(Link::mac).orElse(mac);
            });
        } catch (RuntimeException e) {
            try {
                unplumb(kernel, segment, endpoint);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Deletes the pair by its end in the per-network namespace; nothing to do when it is gone. */
    static void unplumb(Kernel kernel, NetNamespace segment, EndpointConfig endpoint) {
        if (!segment.stillThere()) {
            return;
        }
        kernel.inNamespace(segment, rt -> rt.deleteLinkIfExists(segmentEnd(endpoint)));
    }

    /** Whether the sandbox still has this endpoint's interface, marked, and its other end is in the segment. */
    static boolean intact(Kernel kernel, NetNamespace segment, EndpointConfig endpoint, SandboxConfig sandbox,
                          String mark) {
        Optional<Link> inSandbox = kernel.inNamespace(sandbox.namespace(), rt -> rt.link(endpoint.interfaceName()));
        Optional<Link> inSegment = kernel.inNamespace(segment, rt -> rt.link(segmentEnd(endpoint)));
        return inSandbox.isPresent() && mark.equals(inSandbox.get().alias()) && inSegment.isPresent()
                && mark.equals(inSegment.get().alias());
    }

    /** Whether the sandbox has an interface of that name that is not this endpoint's. */
    static Optional<Link> inSandbox(Kernel kernel, EndpointConfig endpoint, SandboxConfig sandbox) {
        return kernel.inNamespace(sandbox.namespace(), rt -> rt.link(endpoint.interfaceName()));
    }

    /**
     * IPv6 off on an IPv4-only interface (as Docker does: no neighbour discovery to miss on the
     * vxlan), then the user's ({@link EndpointConfig#sysctls()}), which win.
     */
    static Map<String, String> sysctls(EndpointConfig endpoint) {
        Map<String, String> out = new LinkedHashMap<>();
        if (endpoint.ipv6() == null) {
            out.put("net/ipv6/conf/" + endpoint.interfaceName() + "/disable_ipv6", "1");
        }
        out.keySet().removeAll(endpoint.sysctls().keySet());
        out.putAll(endpoint.sysctls());
        return out;
    }
}
