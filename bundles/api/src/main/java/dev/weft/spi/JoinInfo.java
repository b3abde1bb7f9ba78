package dev.weft.spi;

import dev.weft.net.MacAddress;

/**
 * What a driver reports after plumbing an endpoint in; the controller records it.
 *
 * @param interfaceName the interface inside the sandbox, or null when the driver made none (null, host)
 * @param mac           its MAC address, or null
 * @param hostInterface the host-side interface the driver made for it (e.g. the veth's host end), or null
 */
public record JoinInfo(String interfaceName, MacAddress mac, String hostInterface) {
    public static final JoinInfo NONE = new JoinInfo(null, null, null);
}
