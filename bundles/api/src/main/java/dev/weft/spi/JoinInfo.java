package dev.weft.spi;

import dev.weft.net.MacAddress;

/**
 * What a driver reports after plumbing an endpoint in; the controller records it.
 *
 * @param interfaceName the interface inside the sandbox, or null when the driver made none (null, host)
 * @param mac           its MAC address, or null
 */
public record JoinInfo(String interfaceName, MacAddress mac) {
    public static final JoinInfo NONE = new JoinInfo(null, null);
}
