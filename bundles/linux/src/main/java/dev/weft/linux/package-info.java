/**
 * Weft's kernel layer: typed access to rtnetlink (links, addresses, routes), iproute2-compatible
 * network namespaces, nf_tables (structure as text transactions through {@code nft}, set and map
 * elements as netlink batches, read-back) and conntrack, all from Java. Start at {@link dev.weft.linux.Kernel}.
 * Nothing else in Weft touches JNA or forks {@code ip}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.5.0")
package dev.weft.linux;
