package dev.weft.driver.bridge;

import dev.weft.linux.Kernel;
import dev.weft.linux.NftChain;
import dev.weft.linux.NftFamily;
import dev.weft.linux.NftTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Living with another firewall's forward chain that drops by policy (Docker leaves iptables'
 * {@code FORWARD} policy at DROP after it stops; ufw does the same). A packet must be accepted by
 * every base chain on its hook, so Weft's own accept is not enough: for each such chain in the
 * usual tables ({@code ip filter}, {@code ip6 filter}, {@code inet filter}) Weft inserts two
 * narrowly scoped rules per bridge ({@code iifname BR accept}, {@code oifname BR accept}),
 * commented with the network's ownership mark, and removes exactly those with the network. They
 * widen nothing: Weft's own forward chain still drops what Weft does not allow. The rules use no
 * anonymous sets, so iptables-nft shows them truthfully as {@code -i BR -j ACCEPT}
 * (research/nft-bridge-ruleset.md, item 8).
 */
final class ForwardCooperation {
    private static final Logger LOG = Logger.getLogger(ForwardCooperation.class.getName());
    private static final Pattern HANDLE = Pattern.compile("comment \"([^\"]*)\" # handle (\\d+)\\s*$");
    private static final List<Object[]> TABLES = List.of(new Object[] {NftFamily.IPV4, "filter"},
            new Object[] {NftFamily.IPV6, "filter"}, new Object[] {NftFamily.INET, "filter"});

    private final Kernel kernel;

    ForwardCooperation(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Adds the accepts for {@code bridge} to every foreign forward chain with a drop policy that lacks them. */
    void allow(String bridge, String mark) {
        StringBuilder script = new StringBuilder();
        for (Object[] t : TABLES) {
            NftFamily family = (NftFamily) t[0];
            String table = (String) t[1];
            for (String chain : forwardChains(family, table, true)) {
                if (!rules(family, table, chain, mark).isEmpty()) {
                    continue;
                }
                String at = family.keyword() + " " + table + " " + chain;
                script.append("insert rule ").append(at).append(" oifname \"").append(bridge)
                        .append("\" accept comment \"").append(mark).append("\"\n");
                script.append("insert rule ").append(at).append(" iifname \"").append(bridge)
                        .append("\" accept comment \"").append(mark).append("\"\n");
                LOG.info("firewall: " + at + " drops by policy; accepting bridge " + bridge + " there");
            }
        }
        if (!script.isEmpty()) {
            kernel.nftables().apply(script.toString());
        }
    }

    /** Removes the rules carrying {@code mark} from every forward chain of those tables; none is no error. */
    void remove(String mark) {
        StringBuilder script = new StringBuilder();
        for (Object[] t : TABLES) {
            NftFamily family = (NftFamily) t[0];
            String table = (String) t[1];
            for (String chain : forwardChains(family, table, false)) {
                for (long handle : rules(family, table, chain, mark)) {
                    script.append("delete rule ").append(family.keyword()).append(' ').append(table).append(' ')
                            .append(chain).append(" handle ").append(handle).append('\n');
                }
            }
        }
        if (!script.isEmpty()) {
            kernel.nftables().apply(script.toString());
            LOG.info("firewall: removed the forward accepts marked " + mark);
        }
    }

    private List<String> forwardChains(NftFamily family, String table, boolean dropPolicyOnly) {
        Optional<NftTable> t = kernel.nftables().read(family, table);
        if (t.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (NftChain c : t.get().chains()) {
            if (c.hook().isPresent() && c.hook().get().hook().equals("forward")
                    && (!dropPolicyOnly || "drop".equals(c.hook().get().policy()))) {
                out.add(c.name());
            }
        }
        return out;
    }

    /** Handles of the rules in the chain whose comment is {@code mark}. */
    private List<Long> rules(NftFamily family, String table, String chain, String mark) {
        String listing = nft("-a", "list", "chain", family.keyword(), table, chain);
        List<Long> out = new ArrayList<>();
        for (String line : listing.split("\n")) {
            Matcher m = HANDLE.matcher(line);
            if (m.find() && m.group(1).equals(mark)) {
                out.add(Long.parseLong(m.group(2)));
            }
        }
        return out;
    }

    /** Runs nft in the host namespace (spawned from a thread inside it) and returns its output. */
    private String nft(String... args) {
        List<String> command = new ArrayList<>();
        command.add(kernel.config().nftCommand());
        command.addAll(List.of(args));
        Process p = kernel.namespaces().run(kernel.hostNamespace(),
                () -> new ProcessBuilder(command).redirectErrorStream(true).start());
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("cannot list nftables chain: " + String.join(" ", command) + ": " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }
}
