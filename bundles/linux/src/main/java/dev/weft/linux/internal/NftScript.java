package dev.weft.linux.internal;

import dev.weft.linux.NftScriptException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one nftables script through {@code nft -f -}: nft sends it to the kernel as one
 * transaction, so a refused script changes nothing. The process is started by a caller-given
 * function, so that it can be spawned from a thread inside the right network namespace.
 */
public final class NftScript {
    public static final String NOT_FOUND = "nft not found: install the Debian package nftables";
    private static final long TIME_LIMIT_SECONDS = 60;
    private static final Pattern LOCATION = Pattern.compile("/dev/stdin:(\\d+):");

    private NftScript() {}

    /** The argument vector for {@code nft -f -}. */
    public static ProcessBuilder processBuilder(String nftCommand) {
        return new ProcessBuilder(nftCommand, "-f", "-").redirectErrorStream(true);
    }

    /**
     * Starts the process with {@code start} (given the ProcessBuilder to start), feeds it the
     * script and waits for it. Throws {@link NftScriptException} when nft fails, and an
     * IllegalStateException saying {@link #NOT_FOUND} when there is no nft to run.
     */
    public static void run(String nftCommand, String script, Function<ProcessBuilder, Process> start) {
        Process p;
        try {
            p = start.apply(processBuilder(nftCommand));
        } catch (UncheckedIOException e) {
            String m = String.valueOf(e.getCause().getMessage());
            if (m.contains("error=2,")) {
                throw new IllegalStateException(NOT_FOUND, e.getCause());
            }
            throw new IllegalStateException("cannot run " + nftCommand + ": " + m, e.getCause());
        }
        byte[] input = script.getBytes(StandardCharsets.UTF_8);
        Thread writer = new Thread(() -> feed(p.getOutputStream(), input), "nft-stdin");
        writer.setDaemon(true);
        writer.start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> drain(p.getInputStream(), output), "nft-output");
        reader.setDaemon(true);
        reader.start();
        int status;
        try {
            if (!p.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NftScriptException("cannot apply nftables script: nft did not finish within "
                        + TIME_LIMIT_SECONDS + " s and was killed", script, "", -1);
            }
            status = p.exitValue();
            reader.join(TimeUnit.SECONDS.toMillis(5));
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while nft was applying a script", e);
        }
        String out;
        synchronized (output) {
            out = output.toString(StandardCharsets.UTF_8);
        }
        if (status != 0) {
            throw new NftScriptException(errorMessage(script, out, status), script, out, status);
        }
    }

    /**
     * {@code cannot apply nftables script: <nft's error lines>}; script lines nft refers to
     * ({@code /dev/stdin:LINE:}) but does not quote are appended as {@code line N: <text>}.
     */
    public static String errorMessage(String script, String output, int status) {
        String out = withoutRepeats(output.strip());
        StringBuilder sb = new StringBuilder("cannot apply nftables script: ");
        sb.append(out.isEmpty() ? "nft exited with status " + status + " and printed nothing" : out);
        String[] lines = script.split("\n", -1);
        Set<Integer> referenced = new LinkedHashSet<>();
        Matcher m = LOCATION.matcher(out);
        while (m.find()) {
            referenced.add(Integer.parseInt(m.group(1)));
        }
        for (int n : referenced) {
            if (n >= 1 && n <= lines.length) {
                String line = lines[n - 1].strip();
                if (!line.isEmpty() && !out.contains(line)) {
                    sb.append("\nline ").append(n).append(": ").append(line);
                }
            }
        }
        return sb.toString();
    }

    /**
     * Drops error reports that repeat an earlier one word for word (nft 1.0.6 prints some twice).
     * A report starts at a line naming its location ({@code /dev/stdin:…}).
     */
    static String withoutRepeats(String out) {
        Set<String> reports = new LinkedHashSet<>();
        StringBuilder current = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith("/dev/stdin:") && current.length() > 0) {
                reports.add(current.toString());
                current.setLength(0);
            }
            if (current.length() > 0) {
                current.append('\n');
            }
            current.append(line);
        }
        reports.add(current.toString());
        return String.join("\n", reports);
    }

    private static void feed(OutputStream in, byte[] script) {
        try (in) {
            in.write(script);
        } catch (IOException e) {
            // nft stopped reading (it failed early); its output says why
        }
    }

    private static void drain(InputStream out, ByteArrayOutputStream sink) {
        byte[] buf = new byte[8192];
        try (out) {
            for (int n = out.read(buf); n >= 0; n = out.read(buf)) {
                synchronized (sink) {
                    sink.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the process is gone; keep what was read
        }
    }
}
