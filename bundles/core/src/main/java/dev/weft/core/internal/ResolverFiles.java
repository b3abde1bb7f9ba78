package dev.weft.core.internal;

import dev.weft.api.DnsSettings;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxLink;
import dev.weft.api.WeftException;
import dev.weft.core.internal.store.EndpointRecord;
import dev.weft.core.internal.store.NetworkRecord;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.State;
import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.spi.NameService;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A sandbox's resolver files, {@code resolv.conf} and {@code hosts}, in {@code /etc/netns/NAME/}
 * where {@code ip netns exec NAME} bind-mounts them over {@code /etc/}: written once its first
 * network is joined, rewritten when its networks change, when a sandbox it links to changes or
 * goes, and when a {@link NameService} comes or goes; removed with it.
 *
 * <ul>
 *   <li><b>resolv.conf.</b> On networks where a name service serves names, it names that server
 *       (up to three addresses, one per network, in the order the networks were joined), with the
 *       service's domain first in the search list; the server forwards other names to the
 *       sandbox's {@code --dns} servers or the host's. Elsewhere (the default {@code bridge},
 *       {@code none}, macvlan, no name service) the sandbox's {@code --dns} servers, or the host's
 *       without loopback ones (they would point into the sandbox itself). {@code --dns-search} and
 *       {@code --dns-option} replace the host's {@code search} and {@code options}.</li>
 *   <li><b>hosts.</b> localhost, the sandbox's own addresses with its hostname, and its links'
 *       addresses on the default network with their aliases and names.</li>
 *   <li>A sharer's files are copies of its owner's, rewritten with them.</li>
 *   <li>A sandbox in an adopted namespace gets none written (its owner installs them: see
 *       {@link #contents}); one in the host's namespace has the host's.</li>
 * </ul>
 * A file is written only when its content changes, as a new file renamed into place: a reader sees
 * a whole file, never half of one.
 */
final class ResolverFiles {
    private static final Logger LOG = Logger.getLogger(ResolverFiles.class.getName());
    static final String RESOLV_CONF = "resolv.conf";
    static final String HOSTS = "hosts";
    /** The files of {@code /etc/netns/NAME/} that are Weft's. */
    static final List<String> FILES = List.of(RESOLV_CONF, HOSTS);
    /** The libc resolver reads at most three name servers. */
    private static final int MAX_SERVERS = 3;

    private final Inventory inventory;
    private final Path etcNetns;
    private final Path hostResolvConf;
    private final Path systemdResolvConf;
    private volatile NameService names;
    /** What each file was last written with: unchanged files are not written again. */
    private final Map<Path, String> written = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile HostConf hostConf;

    /**
     * @param systemdResolvConf where systemd-resolved lists the resolvers behind its loopback stub,
     *                          or null when the host's resolv.conf is not the machine's own
     */
    ResolverFiles(Inventory inventory, Path etcNetns, Path hostResolvConf, Path systemdResolvConf) {
        this.systemdResolvConf = systemdResolvConf;
        this.inventory = inventory;
        this.etcNetns = etcNetns;
        this.hostResolvConf = hostResolvConf;
    }

    Path hostResolvConf() {
        return hostResolvConf;
    }

    /** The name service sandboxes' resolv.conf name, or null for none; the caller rewrites the files. */
    void nameService(NameService service) {
        this.names = service;
    }

    Optional<NameService> nameService() {
        return Optional.ofNullable(names);
    }

    /**
     * Writes the files of a sandbox with a namespace of its own, then its sharers' copies; nothing
     * for one in the host's or an adopted namespace. Serialised: two changes of one sandbox at once
     * leave the files of the later state.
     */
    synchronized void write(SandboxRecord s) {
        if (s.mode() != SandboxInfo.Mode.CREATED) {
            return;
        }
        Map<String, String> files = contents(s);
        Path dir = etcNetns.resolve(s.name());
        try {
            if (!files.entrySet().stream().allMatch(f -> f.getValue().equals(written.get(dir.resolve(f.getKey()))))) {
                Files.createDirectories(dir);
            }
            for (Map.Entry<String, String> f : files.entrySet()) {
                replace(dir.resolve(f.getKey()), f.getValue());
            }
        } catch (IOException e) {
            throw new WeftException.Failed("cannot write " + dir + ": " + e.getMessage(), e);
        }
        for (SandboxRecord sharer : inventory.sharersOf(s.id())) {
            if (sharer.state() != State.REMOVING) {
                copy(s.name(), sharer.name());
            }
        }
    }

    /**
     * Rewrites the files of a sandbox (by id) and of every sandbox linking to it by name, when its
     * networks changed; failures are logged (the change itself stands).
     */
    void refresh(String sandboxId) {
        inventory.sandbox(sandboxId).ifPresent(s -> {
            if (s.state() != State.REMOVING) {
                rewrite(s);
            }
            refreshLinkers(s.name());
        });
    }

    /** Rewrites the files of every sandbox linking to {@code name} (it came, changed or went). */
    void refreshLinkers(String name) {
        for (SandboxRecord s : inventory.sandboxes()) {
            if (s.state() == State.READY && s.linkList().stream().anyMatch(l -> l.sandbox().equals(name))) {
                rewrite(s);
            }
        }
    }

    /** Rewrites every sandbox's files (a name service came or went). */
    void refreshAll() {
        for (SandboxRecord s : inventory.sandboxes()) {
            if (s.state() == State.READY) {
                rewrite(s);
            }
        }
    }

    private void rewrite(SandboxRecord s) {
        try {
            write(s);
        } catch (RuntimeException e) {
            LOG.warning("sandbox " + s.name() + ": " + e.getMessage());
        }
    }

    /**
     * A sharer's files: copies of those of the sandbox whose namespace it shares, as Docker gives a
     * {@code container:} container the other's.
     */
    synchronized void copy(String from, String to) {
        Path source = etcNetns.resolve(from);
        try {
            for (String file : FILES) {
                String content = written.get(source.resolve(file));
                if (content == null && Files.isRegularFile(source.resolve(file))) {
                    content = Files.readString(source.resolve(file));
                }
                if (content != null) {
                    Path dir = Files.createDirectories(etcNetns.resolve(to));
                    replace(dir.resolve(file), content);
                }
            }
        } catch (IOException e) {
            throw new WeftException.Failed("cannot copy " + source + " to " + etcNetns.resolve(to) + ": " + e.getMessage(), e);
        }
    }

    /** Removes the sandbox's files and their directory. */
    void remove(String name) {
        Path dir = etcNetns.resolve(name);
        try {
            for (String file : FILES) {
                written.remove(dir.resolve(file));
                Files.deleteIfExists(dir.resolve(file));
                Files.deleteIfExists(dir.resolve("." + file + ".new")); // a write cut short
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warning("cannot remove " + dir + ": " + e.getMessage());
        }
    }

    /**
     * The files a sandbox should have, by name: what is written for it, or for an adopted
     * namespace what its owner should install; a sharer has its owner's. None in the host's namespace.
     */
    Map<String, String> contents(SandboxRecord s) {
        if (s.sharer()) {
            return inventory.sandbox(s.sharedWith()).map(this::contents).orElse(Map.of());
        }
        if (s.mode() == SandboxInfo.Mode.HOST) {
            return Map.of();
        }
        List<Joined> joined = joined(s);
        Map<String, String> files = new LinkedHashMap<>();
        files.put(RESOLV_CONF, resolvConf(s, joined));
        files.put(HOSTS, hosts(s, joined));
        return files;
    }

    /** An endpoint of the sandbox with its network, in the order they were joined. */
    private record Joined(EndpointRecord endpoint, NetworkRecord network) {}

    private List<Joined> joined(SandboxRecord s) {
        List<Joined> out = new ArrayList<>();
        for (String id : s.endpoints()) {
            inventory.endpoint(id).filter(e -> e.state() != State.REMOVING)
                    .flatMap(e -> inventory.network(e.network()).map(n -> new Joined(e, n)))
                    .ifPresent(out::add);
        }
        return out;
    }

    private String resolvConf(SandboxRecord s, List<Joined> joined) {
        NameService service = names;
        HostConf host = hostConf();
        DnsSettings own = s.dnsSettings();
        Set<String> served = new LinkedHashSet<>();
        if (service != null) {
            for (Joined j : joined) {
                List<InetAddress> at = List.of();
                try {
                    at = service.servers(j.network().id());
                } catch (RuntimeException e) {
                    LOG.warning("name service failed to say where network " + j.network().name() + "'s names are "
                            + "served: " + e);
                }
                if (!at.isEmpty() && served.size() < MAX_SERVERS) {
                    served.add(IpAddresses.formatScoped(at.get(0)));
                }
            }
        }
        StringBuilder b = new StringBuilder("# resolv.conf of sandbox ").append(s.name())
                .append(", written by Weft (ip netns exec ").append(s.name()).append(" uses it)\n");
        List<String> search = new ArrayList<>(own.search().isEmpty() ? host.search() : own.search());
        if (!served.isEmpty()) {
            b.append("# names of its networks are served at ").append(String.join(", ", served)).append("; other names are "
                    + "forwarded to ").append(own.servers().isEmpty() ? "the host's resolvers" : "its --dns servers")
                    .append('\n');
            served.forEach(a -> b.append("nameserver ").append(a).append('\n'));
            search.remove(service.domain());
            search.add(0, service.domain());
        } else {
            List<String> servers = own.servers().isEmpty() ? host.nameservers()
                    : own.servers().stream().map(IpAddresses::formatScoped).toList();
            if (servers.isEmpty() && own.servers().isEmpty() && host.loopbackOnly()) {
                b.append("# the host's only resolvers are on its loopback, which a sandbox cannot reach\n");
            }
            servers.stream().limit(MAX_SERVERS).forEach(a -> b.append("nameserver ").append(a).append('\n'));
        }
        if (!search.isEmpty()) {
            b.append("search ").append(String.join(" ", search)).append('\n');
        }
        List<String> options = own.options().isEmpty() ? host.options() : own.options();
        if (!options.isEmpty()) {
            b.append("options ").append(String.join(" ", options)).append('\n');
        }
        return b.toString();
    }

    private String hosts(SandboxRecord s, List<Joined> joined) {
        StringBuilder b = new StringBuilder("# hosts of sandbox ").append(s.name()).append(", written by Weft\n")
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::\tip6-localnet\n")
                .append("ff00::\tip6-mcastprefix\n")
                .append("ff02::1\tip6-allnodes\n")
                .append("ff02::2\tip6-allrouters\n");
        String hostname = s.hostnameOrName();
        Set<String> own = new LinkedHashSet<>();
        for (Joined j : joined) {
            for (InterfaceAddress a : j.endpoint().addresses()) {
                own.add(IpAddresses.format(a.address()) + "\t" + hostname);
            }
        }
        own.forEach(line -> b.append(line).append('\n'));
        for (SandboxLink link : s.linkList()) {
            inventory.sandbox(link.sandbox()).filter(t -> t.name().equals(link.sandbox()) && t.state() == State.READY)
                    .ifPresent(t -> {
                        String names = link.alias().equals(t.name()) ? t.name() : link.alias() + " " + t.name();
                        for (InetAddress a : linkAddresses(t, joined)) {
                            b.append(IpAddresses.format(a)).append('\t').append(names).append('\n');
                        }
                    });
        }
        return b.toString();
    }

    /** The linked sandbox's addresses on the networks this sandbox is on (the default bridge). */
    private List<InetAddress> linkAddresses(SandboxRecord target, List<Joined> joined) {
        List<InetAddress> out = new ArrayList<>();
        for (Joined j : joined) {
            inventory.endpoint(j.network().id(), target.id()).filter(e -> e.state() != State.REMOVING)
                    .ifPresent(e -> e.addresses().forEach(a -> out.add(a.address())));
        }
        out.sort((a, b) -> Boolean.compare(a instanceof Inet6Address, b instanceof Inet6Address));
        return out;
    }

    /** What sandboxes take from the host's resolv.conf; {@code stamp} says which versions of the files. */
    record HostConf(String stamp, List<String> nameservers, List<String> search, List<String> options,
                    boolean loopbackOnly) {}

    /** One file's parse. */
    private record Parsed(List<String> servers, List<String> search, List<String> options, boolean loopback) {}

    /**
     * The host's resolv.conf parsed, read again only when a file changed (a stat, not a read).
     * When it names only loopback resolvers (systemd-resolved's stub, 127.0.0.53), which a sandbox
     * cannot reach, sandboxes that are not served names get the resolvers behind that stub from
     * {@code systemdResolvConf} ({@code /run/systemd/resolve/resolv.conf}), as Docker does.
     */
    HostConf hostConf() {
        String stamp = stamp(hostResolvConf) + "|" + (systemdResolvConf == null ? "" : stamp(systemdResolvConf));
        HostConf cached = hostConf;
        if (cached != null && cached.stamp().equals(stamp) && !stamp.startsWith("-")) {
            return cached;
        }
        Parsed host = parse(hostResolvConf);
        List<String> servers = host.servers();
        if (servers.isEmpty() && host.loopback() && systemdResolvConf != null && Files.isReadable(systemdResolvConf)) {
            servers = parse(systemdResolvConf).servers();
        }
        HostConf fresh = new HostConf(stamp, servers, host.search(), host.options(), host.loopback() && servers.isEmpty());
        hostConf = fresh;
        return fresh;
    }

    /** A file's modification time and size, "-" when it cannot be read. */
    private static String stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + ":" + a.size();
        } catch (IOException e) {
            return "-";
        }
    }

    private static Parsed parse(Path file) {
        List<String> servers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        boolean loopback = false;
        try {
            if (Files.isReadable(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 2 || f[0].startsWith("#") || f[0].startsWith(";")) {
                        continue;
                    }
                    switch (f[0]) {
                        case "nameserver" -> {
                            InetAddress a = IpAddresses.tryParse(f[1].contains("%") ? f[1].substring(0, f[1].indexOf('%')) : f[1]);
                            if (a != null && a.isLoopbackAddress()) {
                                loopback = true; // it would point into the sandbox itself
                            } else if (a != null) {
                                servers.add(f[1]);
                            }
                        }
                        case "search", "domain" -> {
                            search.clear(); // the last of them wins, as in the libc resolver
                            search.addAll(List.of(f).subList(1, f.length));
                        }
                        case "options" -> options.addAll(List.of(f).subList(1, f.length));
                        default -> { }
                    }
                }
            }
        } catch (IOException e) {
            throw new WeftException.Failed("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new Parsed(List.copyOf(servers), List.copyOf(search), List.copyOf(options), loopback);
    }

    /**
     * Writes a file unless it holds that content already (as last written; a restart writes each
     * once more). The new content goes into a new file beside it, which is renamed into place once
     * the old one is deleted: renaming over the old one, or truncating it, would make ext4
     * (auto_da_alloc) write the new data out at once, 0.3-0.5 ms a file on the test machines' disk,
     * against 0.15 ms this way. A reader in the microseconds between the two sees no file, and
     * {@code ip netns exec} then leaves the host's own in place for that one command.
     */
    private void replace(Path file, String content) throws IOException {
        String before = written.get(file);
        if (content.equals(before)) {
            return;
        }
        if (before == null && !Files.exists(file)) { // a new sandbox's: no reader can have it open yet
            Files.writeString(file, content, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            written.put(file, content);
            return;
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".new");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.deleteIfExists(file);
        Files.move(tmp, file);
        written.put(file, content);
    }
}
