package dev.weft.linux;

import dev.weft.linux.internal.ElementBatchEncoder;
import dev.weft.linux.internal.Errno;
import dev.weft.linux.internal.NamespaceRunner;
import dev.weft.linux.internal.Netlink;
import dev.weft.linux.internal.NetlinkSocket;
import dev.weft.linux.internal.NfTablesCodec.ChainInfo;
import dev.weft.linux.internal.NfTablesCodec.SetInfo;
import dev.weft.linux.internal.NfTablesCodec.TableInfo;
import dev.weft.linux.internal.NfTablesCodec;
import dev.weft.linux.internal.NftScript;
import dev.weft.linux.internal.NlMessage;
import dev.weft.linux.internal.NlMessageBuilder;
import dev.weft.linux.internal.NlReplies;
import dev.weft.net.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * nf_tables in the host namespace. Structure (tables, chains, rules, set declarations) is
 * written as text transactions through {@code nft -f -} ({@link #apply}); set and map elements
 * are changed by batched netlink transactions ({@link #elements}), about a hundred times faster
 * than spawning nft. Reads ({@link #read}, {@link #exists}) and table removal go over netlink.
 *
 * <p>Thread-safe. One NETLINK_NETFILTER socket, opened inside the host namespace on first use,
 * is shared by all callers (requests are serialised on it) until {@link #close}.
 */
public final class Nftables implements AutoCloseable {
    private static final int READ_ATTEMPTS = 5;

    private final NetNamespace hostNs;
    private final NamespaceRunner runner;
    private final String nftCommand;
    private final NfTablesCodec.AckMode ackMode = NfTablesCodec.AckMode.END_ONLY;
    private NetlinkSocket socket;
    private boolean closed;

    /**
     * @param hostNs     the namespace whose ruleset this changes
     * @param runner     runs work on threads inside {@code hostNs}
     * @param nftCommand the nft executable, e.g. {@code nft} (looked up on PATH) or {@code /usr/sbin/nft}
     */
    Nftables(NetNamespace hostNs, NamespaceRunner runner, String nftCommand) {
        this.hostNs = Objects.requireNonNull(hostNs, "hostNs");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.nftCommand = Objects.requireNonNull(nftCommand, "nftCommand");
    }

    /**
     * Applies {@code script} (nft syntax) as one transaction with {@code nft -f -} run inside the
     * host namespace: all of it or, if nft or the kernel refuses any part, none of it.
     *
     * @throws NftScriptException    when nft fails; its message is {@code cannot apply nftables
     *                               script: } followed by nft's error lines, which quote the
     *                               offending script lines
     * @throws IllegalStateException {@code nft not found: install the Debian package nftables}
     *                               when the nft command does not exist
     */
    public void apply(String script) {
        Objects.requireNonNull(script, "script");
        checkOpen();
        NftScript.run(nftCommand, script, pb -> runner.call(hostNs, () -> {
            // Spawned from a thread that has entered hostNs: the child lives in hostNs.
            try {
                return pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** A new, empty batch of element changes, committed by {@link ElementBatch#commit()}. */
    public ElementBatch elements() {
        checkOpen();
        return new ElementBatch(this);
    }

    /** Sends one element batch; all or nothing. */
    void commit(ElementBatch batch) {
        ElementBatchEncoder encoded = batch.encode(1, ackMode);
        NlReplies replies = socket().exchange(encoded.builder(), "commit nftables element batch", null);
        NlReplies.Answer failed = replies.firstError();
        if (failed != null) {
            throw encoded.failure(failed);
        }
    }

    /** Whether the table exists. */
    public boolean exists(NftFamily family, String table) {
        return table(family, table).isPresent();
    }

    /**
     * Reads a table back: its chains, its sets (named and anonymous) and every set's elements,
     * as one consistent snapshot (the reads are repeated when the ruleset generation changed in
     * between). Empty when the table does not exist.
     */
    public Optional<NftTable> read(NftFamily family, String table) {
        Objects.requireNonNull(family, "family");
        SetRef.checkName("table", table);
        Optional<NftTable> result = Optional.empty();
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            long generation = generation();
            try {
                result = readOnce(family, table);
            } catch (KernelException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
                continue; // a set went away while being read: read again
            }
            if (generation() == generation) {
                return result;
            }
        }
        return result;
    }

    private Optional<NftTable> readOnce(NftFamily family, String table) {
        Optional<TableInfo> info = table(family, table);
        if (info.isEmpty()) {
            return Optional.empty();
        }
        String what = family.keyword() + " " + table;
        List<NftChain> chains = new ArrayList<>();
        for (NlMessage m : dump(NfTablesCodec.dumpChains(1, family, table), "list chains of table", what)) {
            NfTablesCodec.parseChain(m).filter(c -> c.table().equals(table)).map(ChainInfo::chain).ifPresent(chains::add);
        }
        List<NftSet> sets = new ArrayList<>();
        for (NlMessage m : dump(NfTablesCodec.dumpSets(1, family, table), "list sets of table", what)) {
            Optional<NftSet> set = NfTablesCodec.parseSet(m).filter(s -> s.table().equals(table)).map(SetInfo::set);
            if (set.isPresent()) {
                NftSet s = set.get();
                List<NftElement> elements = new ArrayList<>();
                for (NlMessage e : dump(NfTablesCodec.dumpElements(1, family, table, s.name()), "list elements of set",
                        what + " " + s.name())) {
                    elements.addAll(NfTablesCodec.parseElements(e));
                }
                sets.add(new NftSet(s.name(), s.flags(), s.keyType(), s.keyLength(), s.dataType(), s.dataLength(), elements));
            }
        }
        return Optional.of(new NftTable(family, info.get().name(), info.get().flags(), chains, sets));
    }

    /**
     * Removes the table with all its chains, rules and sets, in one transaction. A table that
     * does not exist is no error.
     */
    public void deleteTable(NftFamily family, String table) {
        Objects.requireNonNull(family, "family");
        SetRef.checkName("table", table);
        NlMessageBuilder b = NfTablesCodec.destroyTable(1, family, table, ackMode);
        socket().exchange(b, "delete table", family.keyword() + " " + table).throwIfFailed("delete table",
                family.keyword() + " " + table);
    }

    private Optional<TableInfo> table(NftFamily family, String table) {
        Objects.requireNonNull(family, "family");
        SetRef.checkName("table", table);
        String what = family.keyword() + " " + table;
        NlReplies r = socket().exchange(NfTablesCodec.getTable(1, family, table), "get table", what);
        NlReplies.Answer a = r.firstError();
        if (a != null) {
            if (a.errno == Errno.ENOENT) {
                return Optional.empty();
            }
            r.throwIfFailed("get table", what);
        }
        return r.messages(1).stream().map(NfTablesCodec::parseTable).flatMap(Optional::stream).findFirst();
    }

    private long generation() {
        NlReplies r = socket().exchange(NfTablesCodec.getGeneration(1), "get nftables generation", null);
        r.throwIfFailed("get nftables generation", null);
        return r.messages(1).stream().mapToLong(NfTablesCodec::parseGeneration).findFirst().orElse(-1);
    }

    private List<NlMessage> dump(NlMessageBuilder request, String operation, String object) {
        NlReplies r = socket().exchange(request, operation, object);
        r.throwIfFailed(operation, object);
        return r.messages(1);
    }

    private synchronized NetlinkSocket socket() {
        checkOpen();
        if (socket == null) {
            socket = runner.call(hostNs, () -> NetlinkSocket.open(Netlink.NETLINK_NETFILTER));
        }
        return socket;
    }

    private synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("nftables access to " + hostNs + " is closed");
        }
    }

    /** Closes the netlink socket; later calls fail. */
    @Override
    public synchronized void close() {
        closed = true;
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
