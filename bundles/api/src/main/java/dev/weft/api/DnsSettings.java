package dev.weft.api;

import java.net.InetAddress;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A sandbox's own name-resolution settings, as {@code sandbox:create --dns}, {@code --dns-search}
 * and {@code --dns-option} give them (Docker's {@code HostConfig.Dns}, {@code DnsSearch},
 * {@code DnsOptions}). Empty lists mean "as the host has it".
 *
 * <p>On a network where Weft serves names, the sandbox's resolv.conf names Weft's server and
 * {@code servers} become the upstreams that server forwards the sandbox's other names to (tried
 * before, and instead of, the host's); elsewhere {@code servers} go into its resolv.conf as they
 * are. {@code search} and {@code options} always go into its resolv.conf.
 *
 * @param servers name servers, IPv4 or IPv6 (a link-local IPv6 address keeps its scope, e.g.
 *                {@code fe80::1%eth0}); at most three are used, as by the libc resolver
 * @param search  search domains, e.g. {@code example.com}
 * @param options resolver options as resolv.conf takes them, e.g. {@code ndots:2}, {@code edns0}
 */
public record DnsSettings(List<InetAddress> servers, List<String> search, List<String> options) {
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}\\.?$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern OPTION = Pattern.compile("[A-Za-z0-9_-]+(:[A-Za-z0-9_.-]+)?");

    public static final DnsSettings NONE = new DnsSettings(List.of(), List.of(), List.of());

    public DnsSettings {
        servers = servers == null ? List.of() : List.copyOf(servers);
        search = search == null ? List.of() : List.copyOf(search);
        options = options == null ? List.of() : List.copyOf(options);
        for (String s : search) {
            if (!DOMAIN.matcher(s).matches()) {
                throw new WeftException.InvalidRequest("DNS search domain \"" + s + "\" is not a domain name: use "
                        + "labels of letters, digits, '-' and '_', separated by '.', e.g. example.com");
            }
        }
        for (String o : options) {
            if (!OPTION.matcher(o).matches()) {
                throw new WeftException.InvalidRequest("DNS option \"" + o + "\" is not a resolver option: use "
                        + "NAME or NAME:VALUE as resolv.conf's options line takes them, e.g. ndots:2 or edns0");
            }
        }
    }

    /** True when nothing is set: the sandbox resolves as the host does. */
    public boolean isEmpty() {
        return servers.isEmpty() && search.isEmpty() && options.isEmpty();
    }
}
