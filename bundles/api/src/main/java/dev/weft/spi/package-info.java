/**
 * Weft's service provider interfaces: what third parties implement to plug into the controller.
 *
 * <ul>
 * <li>Network drivers: {@code NetworkDriver} with opt-in capability interfaces the controller finds
 *     with {@code instanceof}:
 *     {@link dev.weft.spi.ExternalConnectivity} (published ports, with the {@link dev.weft.spi.PortMapper}s
 *     core offers by name), {@link dev.weft.spi.Restorable}
 *     (re-adopt kernel state after a restart), {@link dev.weft.spi.Reapplicable} (rewrite the
 *     firewall state another tool flushed), {@link dev.weft.spi.DefaultRoutes} (move a sandbox's
 *     default routes between its endpoints, for their gateway priorities) and
 *     {@link dev.weft.spi.EndpointOperationalInfo} (what the driver knows of an endpoint at run time,
 *     for one sandbox's inspect; 0.11.0).</li>
 * <li>IP address management: {@link dev.weft.spi.IpamDriver} (pools and addresses, modelled on
 *     libnetwork's {@code ipamapi}), registered like network drivers under the service property
 *     {@code weft.ipam.name}, with its request and answer records, the optional capabilities
 *     {@link dev.weft.spi.IpamRestore} and {@link dev.weft.spi.IpamPoolStatus}, and {@link dev.weft.spi.IpamException}. Weft's IPAM drivers
 *     {@code default} and {@code null} (no addresses) live in core.</li>
 * </ul>
 *
 * <p>Kept at version 0.x until the bridge driver has proven it (docs/architecture.md §3).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.11.0")
package dev.weft.spi;
