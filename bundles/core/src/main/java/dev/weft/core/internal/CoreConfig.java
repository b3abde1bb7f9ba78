package dev.weft.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one runtime instance (PID {@code dev.weft}, in Karaf {@code etc/dev.weft.cfg}).
 * Directories, host namespace, table name and link prefix are per instance, so several instances
 * (tests) can run on one machine without touching each other. Keys not declared here belong to
 * drivers, which read them through {@code DriverContext.setting} (e.g. the bridge driver's
 * {@code defaultBridgeSubnet}).
 */
@ObjectClassDefinition(name = "Weft runtime", description = "Directories, names and defaults of one Weft instance")
public @interface CoreConfig {
    @AttributeDefinition(description = "Name of this instance, part of every ownership mark")
    String instance() default "default";

    @AttributeDefinition(description = "Network definitions (survive a reboot)")
    String stateDir() default "/var/lib/weft";

    @AttributeDefinition(description = "Sandboxes, endpoints and leases (tmpfs: gone at reboot, like the namespaces)")
    String runDir() default "/run/weft";

    @AttributeDefinition(description = "Where named sandbox namespaces are made (ip netns uses /run/netns)")
    String netnsDir() default "/run/netns";

    @AttributeDefinition(description = "Where per-namespace resolv.conf files go (ip netns exec reads /etc/netns)")
    String etcNetnsDir() default "/etc/netns";

    @AttributeDefinition(description = "The resolv.conf whose resolvers sandboxes get")
    String resolvConf() default "/etc/resolv.conf";

    @AttributeDefinition(description = "Path of the namespace that plays the host; empty for the machine's own")
    String hostNamespace() default "";

    @AttributeDefinition(description = "The nf_tables table this instance owns")
    String nftTable() default "weft";

    @AttributeDefinition(description = "Prefix of the links this instance creates (at most 4 characters)")
    String linkPrefix() default "wf";

    @AttributeDefinition(description = "Default address pools in Docker's shape base=CIDR,size=N;base=CIDR,size=N "
            + "(IPv4 and IPv6 bases; the older BASE/LEN:SIZE,... is still read); empty for the built-in 2048 /24 "
            + "networks. Set from the framework property weft.default.address.pools")
    String defaultPools() default "";

    @AttributeDefinition(description = "IPv6 ULA /48 for networks with IPv6 and no IPv6 subnet, unless defaultPools has "
            + "IPv6 bases; empty: generated once and kept in the state directory")
    String ipv6Pool() default "";

    @AttributeDefinition(description = "nftables, or none to leave the firewall alone")
    String firewallMode() default "nftables";

    @AttributeDefinition(description = "MTU of new networks that set none; 0 for the uplink's")
    int defaultMtu() default 0;
}
