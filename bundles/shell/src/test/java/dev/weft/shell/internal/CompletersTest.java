package dev.weft.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.api.DriverInfo;
import dev.weft.api.WeftException;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.console.CommandLine;
import org.junit.jupiter.api.Test;

class CompletersTest {
    private final FakeController controller = new FakeController();

    /** A command line whose cursor is at the end of {@code word}, the last argument. */
    private static CommandLine typing(String word) {
        String buffer = "network:inspect " + word;
        return new CommandLine() {
            @Override public int getCursorArgumentIndex() { return 1; }
            @Override public String getCursorArgument() { return word; }
            @Override public int getArgumentPosition() { return word.length(); }
            @Override public String[] getArguments() { return new String[] {"network:inspect", word}; }
            @Override public int getBufferPosition() { return buffer.length(); }
            @Override public String getBuffer() { return buffer; }
        };
    }

    private static List<String> complete(NameCompleter completer, String word) {
        List<String> candidates = new ArrayList<>();
        completer.complete(null, typing(word), candidates);
        return candidates;
    }

    @Test
    void networkNamesCompleteThePrefixCaseSensitively() {
        controller.networks.add(Fixtures.network("1".repeat(64), "blue", "bridge", true));
        controller.networks.add(Fixtures.network("2".repeat(64), "black", "bridge", true));
        controller.networks.add(Fixtures.network("3".repeat(64), "Bold", "bridge", true));
        NetworkNames c = new NetworkNames();
        c.controller = controller;
        assertEquals(List.of("black ", "blue "), complete(c, "bl"));
        assertEquals(List.of("Bold ", "black ", "blue "), complete(c, ""));
    }

    @Test
    void sandboxNames() {
        controller.sandboxes.add(Fixtures.sandbox("1".repeat(64), "web"));
        controller.sandboxes.add(Fixtures.sandbox("2".repeat(64), "db"));
        SandboxNames c = new SandboxNames();
        c.controller = controller;
        assertEquals(List.of("web "), complete(c, "w"));
    }

    @Test
    void driverNamesOfferOnlyRegisteredDrivers() {
        controller.drivers.add(new DriverInfo("bridge", "local", "b", "1", true, List.of()));
        controller.drivers.add(new DriverInfo("macvlan", "local", "m", "1", false, List.of("lan")));
        DriverNames c = new DriverNames();
        c.controller = controller;
        assertEquals(List.of("bridge "), complete(c, ""));
    }

    @Test
    void ipamDriverNamesOfferOnlyAvailableIpamDrivers() {
        controller.ipamDrivers.add(new DriverInfo("default", "local", "dev.weft.core", "1", true, List.of()));
        controller.ipamDrivers.add(new DriverInfo("null", "local", "dev.weft.core", "1", true, List.of()));
        controller.ipamDrivers.add(new DriverInfo("fixed", "local", "f", "1", false, List.of("lab")));
        IpamDriverNames c = new IpamDriverNames();
        c.controller = controller;
        assertEquals(List.of("default ", "null "), complete(c, ""));
        assertEquals(List.of("null "), complete(c, "n"));
    }

    @Test
    void networkModesOfferNetworksHostNoneAndContainers() {
        controller.networks.add(Fixtures.network("1".repeat(64), "blue", "bridge", true));
        controller.sandboxes.add(Fixtures.sandbox("2".repeat(64), "web"));
        NetworkModes c = new NetworkModes();
        c.controller = controller;
        assertEquals(List.of("blue ", "container:web ", "host ", "none "), complete(c, ""));
        assertEquals(List.of("container:web "), complete(c, "con"));
    }

    @Test
    void aFailingControllerGivesNoCandidates() {
        NetworkNames c = new NetworkNames();
        c.controller = new FakeController() {
            @Override
            public List<dev.weft.api.NetworkInfo> networks() {
                throw new WeftException("controller is stopping");
            }
        };
        assertEquals(List.of(), complete(c, ""));
        assertEquals(-1, c.complete(null, typing(""), new ArrayList<>()));
    }
}
