package dev.weft.spi;

/**
 * Where a network's gateway address of one family comes from ({@link NetworkDriver#gatewayAddress}).
 *
 * @since 0.8.0
 */
public enum GatewayAddress {
    /**
     * The host has an address on the network: the user's {@code --gateway}, else one IPAM picks
     * (the subnet's first address). The bridge.
     */
    ALLOCATED,
    /**
     * The gateway is a router elsewhere (on a parent interface's LAN), never the host: it is recorded
     * (and reserved in IPAM) only when the user gives {@code --gateway}; without one the network has
     * no gateway of that family, and its endpoints no default route of it (macvlan, Docker 29). A
     * subnet without a gateway may be as small as one address.
     */
    IF_GIVEN,
    /**
     * No gateway at all: a {@code --gateway} of that family is refused, and a subnet may be as small
     * as one address (the bridge's {@code gateway_mode_ipv4=isolated}).
     */
    NONE
}
