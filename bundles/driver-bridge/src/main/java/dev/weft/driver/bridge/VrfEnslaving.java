package dev.weft.driver.bridge;

import dev.weft.api.WeftException;
import dev.weft.linux.Link;
import dev.weft.linux.LinkChange;
import dev.weft.linux.Rtnetlink;
import dev.weft.spi.NetworkConfig;
import java.util.logging.Logger;

/**
 * netavark's {@code -o vrf=NAME}: the network's bridge enslaved to a VRF device of the host
 * namespace, so the sandboxes' traffic is routed in the VRF's table. Weft does not create the
 * VRF: it must exist, as netavark requires.
 *
 * <p>The kernel of Weft's test machines has no VRF link type ({@code CONFIG_NET_VRF} off), so only
 * the refusals ({@link #require}) are tested here; {@link #enslave} (the bridge's master set to the
 * VRF's index, as {@code ip link set BRIDGE master NAME} does) and {@link #release} are not
 * exercised by any test on such a kernel.
 */
final class VrfEnslaving {
    private static final Logger LOG = Logger.getLogger(VrfEnslaving.class.getName());
    static final String VRF_KIND = "vrf";

    private VrfEnslaving() {}

    /**
     * The VRF link named {@code vrf} in the host namespace; refuses a name that names no link, or a
     * link that is not a VRF, saying which and what is needed. No side effects.
     */
    static Link require(Rtnetlink host, String hostNamespace, NetworkConfig network, String vrf) {
        Link link = host.link(vrf).orElseThrow(() -> new WeftException.InvalidRequest("network \"" + network.name()
                + "\": option " + RoutingOptions.VRF + "=\"" + vrf + "\" is not valid: no link named \"" + vrf
                + "\" exists in the host namespace " + hostNamespace + "; expected the name of an existing VRF device "
                + "(create it first, e.g. ip link add " + vrf + " type vrf table 10; the kernel needs VRF support, "
                + "CONFIG_NET_VRF), or drop " + RoutingOptions.VRF));
        if (!VRF_KIND.equals(link.kind())) {
            throw new WeftException.InvalidRequest("network \"" + network.name() + "\": option " + RoutingOptions.VRF
                    + "=\"" + vrf + "\" is not valid: the link \"" + vrf + "\" in the host namespace " + hostNamespace
                    + " is a " + (link.kind() == null ? "device" : link.kind()) + ", not a VRF; expected the name of an "
                    + "existing VRF device");
        }
        return link;
    }

    /** Enslaves the bridge to the VRF unless it is already; true when it changed it. */
    static boolean enslave(Rtnetlink host, Link bridge, Link vrf, String network) {
        if (bridge.master() == vrf.index()) {
            return false;
        }
        host.setLink(LinkChange.of(bridge.index()).master(vrf.index()));
        LOG.info("network " + network + ": bridge " + bridge.name() + " enslaved to VRF " + vrf.name());
        return true;
    }

    /**
     * Takes a bridge Weft did not create (it stays) out of the VRF {@code vrf} when it is still
     * enslaved to it; nothing when either is gone.
     */
    static void release(Rtnetlink host, String bridge, String vrf) {
        host.link(vrf).ifPresent(v -> host.link(bridge).filter(b -> b.master() == v.index())
                .ifPresent(b -> host.setLink(LinkChange.of(b.index()).noMaster())));
    }
}
