/**
 * Network values every part of Weft shares: IP addresses and prefixes ({@link dev.weft.net.IpPrefix},
 * {@link dev.weft.net.InterfaceAddress}, {@link dev.weft.net.IpAddresses}), Ethernet addresses
 * ({@link dev.weft.net.MacAddress}) and the identity of a network namespace
 * ({@link dev.weft.net.NetNamespace}). Plain Java: no JNA, no kernel access, no dependency, so the
 * API and the SPI use them without wiring the kernel layer.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.weft.net;
