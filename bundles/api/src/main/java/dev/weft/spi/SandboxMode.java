package dev.weft.spi;

/**
 * How a driver's networks give a sandbox its network stack ({@link NetworkDriver#sandboxMode()}).
 * The controller decides from it, not from a driver's or a network's name, which namespace a new
 * sandbox gets and which networks a sandbox may be on together.
 */
public enum SandboxMode {
    /**
     * The sandbox has a namespace of its own (created by Weft or adopted with {@code --netns}) and
     * gets an interface on each network of the driver (bridge, macvlan, overlay). A sandbox may be
     * on any number of such networks.
     */
    OWN_NAMESPACE,
    /**
     * The sandbox has a namespace of its own with its loopback only: the driver plumbs nothing
     * ({@code null}). Exclusive: a sandbox on such a network is on no other.
     */
    NO_INTERFACE,
    /**
     * The sandbox is the host's namespace itself ({@code host}): it is created on such a network and
     * can be on no other, nor can any other sandbox join it.
     */
    HOST_NAMESPACE,
    /**
     * The sandbox shares another sandbox's namespace ({@code --network DRIVER:SANDBOX}, Docker's
     * {@code container:NAME}). Such a driver declares no network: {@code sandbox:create --network
     * NAME:ARGUMENT} names the driver and its argument.
     */
    SHARED_NAMESPACE
}
