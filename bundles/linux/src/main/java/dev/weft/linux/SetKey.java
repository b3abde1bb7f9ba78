package dev.weft.linux;

import dev.weft.net.IpAddresses;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The key or the data of a set element: one field or a concatenation ({@code tcp . 8080},
 * {@code 10.1.0.2 . 80}), encoded as nf_tables stores it. The kernel keeps concatenations in
 * 32-bit registers, so each field starts on a 4-byte boundary, its bytes at the start of its
 * slot and the rest zero; the total must equal the set's key (or data) length exactly, or the
 * kernel answers EINVAL.
 *
 * <p>Immutable: every field method returns a new key. Equal keys have equal bytes (the readable
 * text is not compared).
 * <pre>{@code
 * SetKey key  = SetKey.of().tcp().port(8080);                              // 06000000 1f900000
 * SetKey data = SetKey.of().address(InetAddress.getByName("10.1.0.2")).port(80);
 * }</pre>
 */
public final class SetKey {
    /** NFT_DATA_VALUE_MAXLEN: 16 registers of 4 bytes. */
    public static final int MAX_LENGTH = 64;
    private static final int IFNAMSIZ = 16;
    private static final SetKey EMPTY = new SetKey(new byte[0], "");

    private final byte[] bytes;
    private final String text;

    private SetKey(byte[] bytes, String text) {
        this.bytes = bytes;
        this.text = text;
    }

    /** An empty key to append fields to. */
    public static SetKey of() {
        return EMPTY;
    }

    /** A key from raw bytes (as read back from the kernel); printed as hex. */
    public static SetKey raw(byte[] bytes) {
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("set key of " + bytes.length + " bytes: at most " + MAX_LENGTH + " are accepted");
        }
        return new SetKey(bytes.clone(), bytes.length == 0 ? "" : "0x" + HexFormat.of().formatHex(bytes));
    }

    /** An {@code inet_proto} field: the IP protocol number (0..255) in a 4-byte slot. */
    public SetKey proto(int protocol) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("IP protocol " + protocol + " out of range: accepted are 0 to 255");
        }
        return append(new byte[] {(byte) protocol}, protoName(protocol));
    }

    public SetKey tcp() {
        return proto(6);
    }

    public SetKey udp() {
        return proto(17);
    }

    public SetKey sctp() {
        return proto(132);
    }

    /** An {@code inet_service} field: the port (0..65535) big-endian in the first 2 bytes of its slot. */
    public SetKey port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range: accepted are 0 to 65535");
        }
        return append(new byte[] {(byte) (port >> 8), (byte) port}, Integer.toString(port));
    }

    /** An {@code ipv4_addr} (4 bytes) or {@code ipv6_addr} (16 bytes) field, network order. */
    public SetKey address(InetAddress address) {
        Objects.requireNonNull(address, "address");
        return append(address.getAddress(), addressText(address));
    }

    /**
     * An {@code ifname} field: the interface name NUL-padded to 16 bytes (IFNAMSIZ). Accepted are
     * 1 to 15 printable ASCII characters other than space, {@code /} and {@code :}, as Linux
     * accepts for link names.
     */
    public SetKey ifname(String name) {
        Objects.requireNonNull(name, "interface name");
        if (name.isEmpty() || name.length() > IFNAMSIZ - 1) {
            throw new IllegalArgumentException("interface name \"" + name + "\" has " + name.length()
                    + " characters: accepted are 1 to 15");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c > '~' || c == '/' || c == ':') {
                throw new IllegalArgumentException("interface name \"" + name + "\" contains '" + c
                        + "': accepted are printable ASCII characters other than space, '/' and ':'");
            }
        }
        return append(Arrays.copyOf(name.getBytes(StandardCharsets.US_ASCII), IFNAMSIZ), '"' + name + '"');
    }

    /**
     * A {@code mark} field (as {@code meta mark} / {@code ct mark}): a u32 in host byte order,
     * which is how nft declares mark_type (BYTEORDER_HOST_ENDIAN).
     */
    public SetKey mark(int mark) {
        byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(mark).array();
        return append(v, String.format("0x%08x", mark));
    }

    /** The encoded bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The encoded length in bytes: what the set's key (or data) length must be. */
    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    private SetKey append(byte[] field, String fieldText) {
        int slot = (field.length + 3) & ~3;
        if (bytes.length + slot > MAX_LENGTH) {
            throw new IllegalArgumentException("set key " + this + " . " + fieldText + " would have "
                    + (bytes.length + slot) + " bytes: at most " + MAX_LENGTH + " are accepted");
        }
        byte[] out = Arrays.copyOf(bytes, bytes.length + slot);
        System.arraycopy(field, 0, out, bytes.length, field.length);
        return new SetKey(out, text.isEmpty() ? fieldText : text + " . " + fieldText);
    }

    private static String protoName(int p) {
        return switch (p) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 58 -> "ipv6-icmp";
            case 132 -> "sctp";
            default -> Integer.toString(p);
        };
    }

    /** IPv4 dotted, IPv6 in the RFC 5952 short form. */
    static String addressText(InetAddress a) {
        return IpAddresses.format(a);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The nft notation, e.g. {@code tcp . 8080}, {@code 10.1.0.2 . 80}, {@code "veth1a2b"}; hex for raw keys. */
    @Override
    public String toString() {
        return text;
    }
}
