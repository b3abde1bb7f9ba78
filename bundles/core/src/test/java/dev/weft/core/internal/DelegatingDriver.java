package dev.weft.core.internal;

import dev.weft.spi.EndpointConfig;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.util.Map;

/** The test bridge's network calls under another registration, for drivers that add a capability to them. */
class DelegatingDriver implements NetworkDriver<TestBridgeDriver.Options> {
    private final TestBridgeDriver delegate;

    DelegatingDriver(TestBridgeDriver delegate) {
        this.delegate = delegate;
    }

    @Override
    public Scope scope() {
        return delegate.scope();
    }

    @Override
    public TestBridgeDriver.Options parseOptions(Map<String, String> options) {
        return delegate.parseOptions(options);
    }

    @Override
    public void createNetwork(NetworkConfig network, TestBridgeDriver.Options options) {
        delegate.createNetwork(network, options);
    }

    @Override
    public void deleteNetwork(NetworkConfig network, TestBridgeDriver.Options options) {
        delegate.deleteNetwork(network, options);
    }

    @Override
    public JoinInfo join(NetworkConfig network, TestBridgeDriver.Options options, EndpointConfig endpoint,
                         SandboxConfig sandbox) {
        return delegate.join(network, options, endpoint, sandbox);
    }

    @Override
    public void leave(NetworkConfig network, TestBridgeDriver.Options options, EndpointConfig endpoint,
                      SandboxConfig sandbox) {
        delegate.leave(network, options, endpoint, sandbox);
    }
}
