package dev.weft.linux.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A parsed run of netlink attributes. Types are masked with {@code 0x3fff} (the nested and
 * byte-order flags are stripped). Values are views into the message; the first attribute of a
 * type wins for the single-value getters, {@link #all} returns every one in order.
 */
public final class NlAttrs {

    /** One attribute: its masked type and its payload (a native-order view). */
    public record Attr(int type, ByteBuffer value) {
        public NlAttrs nested() {
            return NlAttrs.parse(value, 0, value.limit());
        }
    }

    private final List<Attr> attrs;

    private NlAttrs(List<Attr> attrs) {
        this.attrs = attrs;
    }

    public static NlAttrs empty() {
        return new NlAttrs(Collections.emptyList());
    }

    /** Parses the attributes in {@code buf[start, end)}. Stops quietly at a truncated tail. */
    public static NlAttrs parse(ByteBuffer buf, int start, int end) {
        List<Attr> out = new ArrayList<>();
        int p = start;
        while (p + 4 <= end) {
            int len = Short.toUnsignedInt(buf.getShort(p));
            int type = Short.toUnsignedInt(buf.getShort(p + 2)) & Netlink.NLA_TYPE_MASK;
            if (len < 4 || p + len > end) {
                break;
            }
            ByteBuffer v = buf.slice(p + 4, len - 4).order(ByteOrder.nativeOrder());
            out.add(new Attr(type, v));
            p += Netlink.align(len);
        }
        return new NlAttrs(out);
    }

    public List<Attr> list() {
        return attrs;
    }

    public Attr get(int type) {
        for (Attr a : attrs) {
            if (a.type() == type) {
                return a;
            }
        }
        return null;
    }

    public List<Attr> all(int type) {
        List<Attr> out = new ArrayList<>();
        for (Attr a : attrs) {
            if (a.type() == type) {
                out.add(a);
            }
        }
        return out;
    }

    public boolean has(int type) {
        return get(type) != null;
    }

    public int u8(int type, int dflt) {
        Attr a = get(type);
        return a == null || a.value().limit() < 1 ? dflt : Byte.toUnsignedInt(a.value().get(0));
    }

    public int u16(int type, int dflt) {
        Attr a = get(type);
        return a == null || a.value().limit() < 2 ? dflt : Short.toUnsignedInt(a.value().getShort(0));
    }

    public int u32(int type, int dflt) {
        Attr a = get(type);
        return a == null || a.value().limit() < 4 ? dflt : a.value().getInt(0);
    }

    public long u64(int type, long dflt) {
        Attr a = get(type);
        return a == null || a.value().limit() < 8 ? dflt : a.value().getLong(0);
    }

    public int be16(int type, int dflt) {
        Attr a = get(type);
        return a == null || a.value().limit() < 2 ? dflt : Short.toUnsignedInt(a.value().duplicate().order(ByteOrder.BIG_ENDIAN).getShort(0));
    }

    public int be32(int type, int dflt) {
        Attr a = get(type);
        return a == null || a.value().limit() < 4 ? dflt : a.value().duplicate().order(ByteOrder.BIG_ENDIAN).getInt(0);
    }

    public long be64(int type, long dflt) {
        Attr a = get(type);
        return a == null || a.value().limit() < 8 ? dflt : a.value().duplicate().order(ByteOrder.BIG_ENDIAN).getLong(0);
    }

    /** A string attribute without its terminating NUL (and anything after it), or null. */
    public String string(int type) {
        Attr a = get(type);
        if (a == null) {
            return null;
        }
        byte[] raw = bytesOf(a.value());
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        Attr a = get(type);
        return a == null ? null : bytesOf(a.value());
    }

    public InetAddress address(int type) {
        byte[] raw = bytes(type);
        if (raw == null || (raw.length != 4 && raw.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public NlAttrs nested(int type) {
        Attr a = get(type);
        return a == null ? empty() : a.nested();
    }

    public static byte[] bytesOf(ByteBuffer v) {
        byte[] out = new byte[v.limit()];
        v.get(0, out);
        return out;
    }
}
