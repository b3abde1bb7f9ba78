package dev.weft.bench;

import dev.weft.testkit.TestNamespace;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/** One DNS server under test, with its network of sandboxes, as {@link DnsBench} drives it. */
interface DnsTarget extends AutoCloseable {
    /** Runs code on a thread inside a sandbox's namespace (the test kit's, or {@link NsThread} by path). */
    @FunctionalInterface
    interface Entry {
        Object call(java.util.concurrent.Callable<Object> work) throws Exception;

        static Entry of(TestNamespace ns) {
            return ns::call;
        }
    }

    /** A sandbox on the network: its name (what is queried), its address, its namespace. */
    record Member(String name, InetAddress address, Entry namespace) {
    }

    String label();

    /** The throwaway host namespace everything of this target lives in (for the script's leftover check). */
    String hostNamespace();

    /** The address the server answers on (the network's gateway), port 53. */
    InetAddress server();

    /** The sandboxes made by {@link #populate}, in creation order. */
    List<Member> members();

    /** Makes {@code n} sandboxes on the network (untimed). */
    void populate(int n) throws Exception;

    /** Makes one more sandbox; returns when the user's command would (the caller takes the time). */
    Member create(int round) throws Exception;

    /** Removes a sandbox {@link #create} made; returns when the user's command would. */
    void remove(Member m) throws Exception;

    /** {@code System.nanoTime()} right after the last {@link #create} or {@link #remove} call returned. */
    long returnedNanos();

    /** Facts for the report: versions, how the server was started, its config. */
    Map<String, Object> describe();
}
