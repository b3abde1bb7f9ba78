package dev.weft.core.internal;

import dev.weft.api.SandboxInfo;
import dev.weft.core.internal.store.SandboxRecord;
import dev.weft.core.internal.store.Store;
import dev.weft.linux.Kernel;
import dev.weft.linux.KernelConfig;
import dev.weft.linux.Link;
import dev.weft.linux.NftFamily;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * {@code ./weft purge}: removes everything one instance made, with the runtime stopped: the
 * namespaces of its sandboxes (from its records) and their resolv.conf, the links that carry its
 * ownership mark ({@code weft:<instance>:…}) in its host namespace, its nf_tables tables, and its
 * state and runtime directories. Touches nothing it did not mark as its own.
 *
 * <pre>java -cp … dev.weft.core.internal.Purge [etc/dev.weft.cfg]</pre>
 */
public final class Purge {
    private Purge() {}

    public static void main(String[] args) throws IOException {
        Properties cfg = new Properties();
        if (args.length > 0 && Files.exists(Path.of(args[0]))) {
            try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
                cfg.load(in);
            }
        }
        String instance = cfg.getProperty("instance", "default").trim();
        Path stateDir = Path.of(cfg.getProperty("stateDir", "/var/lib/weft").trim());
        Path runDir = Path.of(cfg.getProperty("runDir", "/run/weft").trim());
        Path netnsDir = Path.of(cfg.getProperty("netnsDir", "/run/netns").trim());
        Path etcNetns = Path.of(cfg.getProperty("etcNetnsDir", "/etc/netns").trim());
        String hostNs = cfg.getProperty("hostNamespace", "").trim();
        String table = cfg.getProperty("nftTable", "weft").trim();

        int removed = 0;
        try (Kernel kernel = Kernel.open(new KernelConfig(hostNs.isEmpty() ? null : Path.of(hostNs), netnsDir, null))) {
            if (Files.isDirectory(runDir.resolve("sandboxes"))) {
                Store store = new Store(stateDir, runDir);
                for (SandboxRecord s : store.sandboxes(System.err::println)) {
                    if (s.mode() == SandboxInfo.Mode.CREATED && kernel.namespaces().get(s.name())
                            .filter(ns -> ns.inode() == s.inode() || s.inode() == 0).isPresent()) {
                        kernel.namespaces().delete(s.name());
                        System.out.println("removed namespace " + s.name());
                        removed++;
                    }
                    deleteTree(etcNetns.resolve(s.name()));
                }
            }
            String mark = "weft:" + instance + ":";
            for (Link l : kernel.host().links()) {
                if (l.alias() != null && l.alias().startsWith(mark) && kernel.host().deleteLinkIfExists(l.name())) {
                    System.out.println("removed link " + l.name());
                    removed++;
                }
            }
            for (NftFamily f : new NftFamily[] {NftFamily.INET, NftFamily.BRIDGE}) {
                if (kernel.nftables().exists(f, table)) {
                    kernel.nftables().deleteTable(f, table);
                    System.out.println("removed nftables table " + f.keyword() + " " + table);
                    removed++;
                }
            }
        }
        for (Path dir : new Path[] {runDir, stateDir}) {
            if (Files.exists(dir)) {
                deleteTree(dir);
                System.out.println("removed " + dir);
                removed++;
            }
        }
        System.out.println(removed == 0 ? "nothing of instance " + instance + " to remove"
                : "purged instance " + instance);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
