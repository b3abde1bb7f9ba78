package dev.weft.testkit;

/**
 * A namespace owned by a {@link TestHost}: a container's sandbox, or (made by
 * {@link TestHost#outside}) another machine on the host's LAN. Named {@code wt-<host id>-<short name>};
 * its interfaces are eth0, eth1, … in the order they are attached.
 */
public final class TestSandbox extends TestNamespace {
    private final String shortName;
    private final TestHost host;

    TestSandbox(TestHost host, String shortName, String name) {
        super(name);
        this.host = host;
        this.shortName = shortName;
    }

    public String shortName() {
        return shortName;
    }

    public TestHost host() {
        return host;
    }
}
