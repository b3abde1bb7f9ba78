package dev.weft.api;

import java.util.List;

/**
 * A network or IPAM driver the controller knows: registered now, or remembered by networks that use it.
 *
 * @param name     the driver's name ({@code bridge}, {@code null}, …; for IPAM {@code default}, {@code null}, …)
 * @param scope    {@code local} or {@code global} (IPAM drivers: {@code local})
 * @param bundle   the symbolic name of the bundle serving it
 * @param version  that bundle's version
 * @param available registered now
 * @param networks names of the networks using it
 */
public record DriverInfo(String name, String scope, String bundle, String version, boolean available,
                         List<String> networks) {
    public DriverInfo {
        networks = List.copyOf(networks);
    }
}
