/**
 * Weft's embedded DNS server: {@link dev.weft.dns.DnsServer}, a {@code NameService} that answers the
 * names of sandboxes on user-defined networks on each network's gateway addresses and forwards
 * other names. Exported so that embedders and the benches can construct it without OSGi.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.weft.dns;
