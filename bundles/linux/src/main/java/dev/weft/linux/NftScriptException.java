package dev.weft.linux;

/**
 * {@code nft -f -} refused a script; the kernel applied none of it (one transaction). The
 * message carries nft's own error lines, which quote the offending script lines, e.g.
 * <pre>
 * cannot apply nftables script: /dev/stdin:4:40-50: Error: No such file or directory; did you mean map ‘pub_any’ in table inet ‘weft’?
 * add rule inet weft nat_pre dnat ip to meta l4proto . th dport map @nope
 *                                                                   ^^^^^
 * </pre>
 */
public class NftScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String script;
    private final String nftOutput;
    private final int exitStatus;

    public NftScriptException(String message, String script, String nftOutput, int exitStatus) {
        super(message);
        this.script = script;
        this.nftOutput = nftOutput;
        this.exitStatus = exitStatus;
    }

    /** The script as given to nft. */
    public String script() {
        return script;
    }

    /** What nft printed (stdout and stderr). */
    public String nftOutput() {
        return nftOutput;
    }

    /** nft's exit status, or -1 when it was killed after the time limit. */
    public int exitStatus() {
        return exitStatus;
    }
}
