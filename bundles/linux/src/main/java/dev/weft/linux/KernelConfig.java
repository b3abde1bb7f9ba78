package dev.weft.linux;

import java.nio.file.Path;

/**
 * Where one runtime instance does its kernel work.
 *
 * @param hostNamespace       the namespace that plays "the host" (bridges, host-side veth ends,
 *                            the firewall table, port reservations); null means the machine's own
 * @param namespaceDirectory  where named namespaces are created ({@code /run/netns} by default,
 *                            so {@code ip netns exec} finds them)
 * @param nftCommand          the nft executable used for structural ruleset changes
 */
public record KernelConfig(Path hostNamespace, Path namespaceDirectory, String nftCommand) {

    public static final Path DEFAULT_NAMESPACE_DIRECTORY = Path.of("/run/netns");

    public KernelConfig {
        if (namespaceDirectory == null) {
            namespaceDirectory = DEFAULT_NAMESPACE_DIRECTORY;
        }
        if (nftCommand == null || nftCommand.isBlank()) {
            nftCommand = "nft";
        }
    }

    /** The machine's own namespace as host, {@code /run/netns}, {@code nft} from the PATH. */
    public static KernelConfig defaults() {
        return new KernelConfig(null, null, null);
    }

    public KernelConfig withHostNamespace(Path path) {
        return new KernelConfig(path, namespaceDirectory, nftCommand);
    }

    public KernelConfig withNamespaceDirectory(Path dir) {
        return new KernelConfig(hostNamespace, dir, nftCommand);
    }
}
