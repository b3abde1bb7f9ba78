package dev.weft.linux;

import dev.weft.linux.internal.ElementBatchEncoder;
import dev.weft.linux.internal.ElementBatchEncoder.Change;
import dev.weft.linux.internal.ElementBatchEncoder.Op;
import dev.weft.linux.internal.NfTablesCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Element changes of any number of sets and maps, committed as ONE nf_tables transaction:
 * {@link #commit()} applies all of them or, when the kernel refuses any one, none at all.
 *
 * <p>Changes are kept in call order, except that consecutive calls are merged into one message
 * per (set, operation) where that cannot change the outcome: a change joins an earlier message
 * of the same set and operation only if no message in between touches the same key of that set.
 * So {@code replace(m, k1, …); replace(m, k2, …)} is two messages (destroy k1, k2; add k1, k2),
 * while {@code add(m, k, d1); destroy(m, k); add(m, k, d2)} stays three, in that order.
 *
 * <p>The whole batch goes out in one {@code sendto}, so it must fit the socket's send buffer
 * (4 MiB, about 100,000 map elements); larger changes fail with EMSGSIZE and apply nothing.
 *
 * <p>Not thread-safe: build a batch on one thread. It can be committed once.
 */
public final class ElementBatch {
    private final Nftables owner;
    private final List<GroupBuilder> groups = new ArrayList<>();
    private int size;
    private boolean committed;

    private static final class GroupBuilder {
        final SetRef set;
        final Op op;
        final List<Change> changes = new ArrayList<>();
        final Set<SetKey> keys = new HashSet<>();

        GroupBuilder(SetRef set, Op op) {
            this.set = set;
            this.op = op;
        }
    }

    /** {@code owner} is null for a batch that is only encoded (tests). */
    ElementBatch(Nftables owner) {
        this.owner = owner;
    }

    /** Adds {@code key} to a plain set. Adding a key that is already there is no error. */
    public ElementBatch add(SetRef set, SetKey key) {
        change(set, Op.ADD, key, null, "add");
        size++;
        return this;
    }

    /**
     * Adds the mapping {@code key : data} to a map. The same mapping again is no error; a
     * different mapping for a key already there is EEXIST: use {@link #replace}.
     */
    public ElementBatch add(SetRef map, SetKey key, SetKey data) {
        requireData(data);
        change(map, Op.ADD, key, data, "add");
        size++;
        return this;
    }

    /** Removes {@code key} (data does not matter); the commit fails with ENOENT if it is absent. */
    public ElementBatch delete(SetRef set, SetKey key) {
        change(set, Op.DELETE, key, null, "delete");
        size++;
        return this;
    }

    /** Removes {@code key} if present; an absent key is no error (DESTROYSETELEM, kernel 6.3+). */
    public ElementBatch destroy(SetRef set, SetKey key) {
        change(set, Op.DESTROY, key, null, "destroy");
        size++;
        return this;
    }

    /**
     * Sets the mapping of {@code key} to {@code data}, whether or not the key was mapped before:
     * a destroy and an add in this batch, the only way to change a mapping (nothing in between is
     * ever visible to packets).
     */
    public ElementBatch replace(SetRef map, SetKey key, SetKey data) {
        requireData(data);
        change(map, Op.DESTROY, key, null, "replace");
        change(map, Op.ADD, key, data, "replace");
        size++;
        return this;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The number of calls of add, delete, destroy and replace so far. */
    public int size() {
        return size;
    }

    /**
     * Sends the batch and waits for the kernel's verdict. On success every change is in effect
     * for new packets; on failure ({@link NftElementException} naming the element, set or table
     * the kernel refused) none is. An empty batch sends nothing.
     */
    public void commit() {
        checkOpen();
        committed = true;
        if (groups.isEmpty()) {
            return;
        }
        if (owner == null) {
            throw new IllegalStateException("this element batch is not bound to an Nftables instance");
        }
        owner.commit(this);
    }

    /** Encodes the batch, BEGIN carrying {@code firstSeq}. */
    ElementBatchEncoder encode(int firstSeq, NfTablesCodec.AckMode ack) {
        List<ElementBatchEncoder.Group> out = new ArrayList<>(groups.size());
        for (GroupBuilder g : groups) {
            out.add(new ElementBatchEncoder.Group(g.set, g.op, List.copyOf(g.changes)));
        }
        return ElementBatchEncoder.encode(firstSeq, out, ack);
    }

    private void change(SetRef set, Op op, SetKey key, SetKey data, String verb) {
        checkOpen();
        Objects.requireNonNull(set, "set");
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty key for " + set + ": add at least one field");
        }
        target(set, op, key).changes.add(new Change(key, data, verb));
    }

    /** The group the change joins: the latest of the same (set, op) not separated by a change of the same key. */
    private GroupBuilder target(SetRef set, Op op, SetKey key) {
        GroupBuilder joined = null;
        for (int i = groups.size() - 1; i >= 0; i--) {
            GroupBuilder g = groups.get(i);
            if (!g.set.equals(set)) {
                continue; // other sets are independent
            }
            if (g.op == op) {
                joined = g;
                break;
            }
            if (g.keys.contains(key)) {
                break; // order matters for this key
            }
        }
        if (joined == null) {
            joined = new GroupBuilder(set, op);
            groups.add(joined);
        }
        joined.keys.add(key);
        return joined;
    }

    private static void requireData(SetKey data) {
        Objects.requireNonNull(data, "data");
        if (data.isEmpty()) {
            throw new IllegalArgumentException("empty data for a map element: add at least one field");
        }
    }

    private void checkOpen() {
        if (committed) {
            throw new IllegalStateException("this element batch was already committed; start a new one");
        }
    }
}
