package dev.weft.net;

import java.net.Inet4Address;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public final class MacAddress {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes == null || bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + (bytes == null ? 0 : bytes.length));
        }
        return new MacAddress(bytes.clone());
    }

    /** Parses {@code 02:42:0a:01:00:02}; the message names the value and what is accepted. */
    public static MacAddress parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("\"" + text + "\" is not a MAC address: expected six hex pairs like 02:42:0a:01:00:02");
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2 || !isHex(parts[i].charAt(0)) || !isHex(parts[i].charAt(1))) {
                throw new IllegalArgumentException("\"" + text + "\" is not a MAC address: expected six hex pairs like 02:42:0a:01:00:02");
            }
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return new MacAddress(b);
    }

    /** ASCII hex only (Character.digit also takes fullwidth and other scripts' digits). */
    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Docker's derivation: {@code 02:42} followed by the four bytes of the IPv4 address. */
    public static MacAddress fromIpv4(Inet4Address a) {
        byte[] ip = a.getAddress();
        return new MacAddress(new byte[] {0x02, 0x42, ip[0], ip[1], ip[2], ip[3]});
    }

    /**
     * A random locally administered unicast address ({@code x2:…}, {@code x6:…}, {@code xa:…} or
     * {@code xe:…}), as {@code eth_random_addr} makes one: for a device that needs an address of its
     * own that no port or peer can take over.
     */
    public static MacAddress randomLocal() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfe) | 0x02); // unicast, locally administered
        return new MacAddress(b);
    }

    /** True for a locally administered unicast address (the second-lowest bit of the first byte set, the lowest clear). */
    public boolean isLocalUnicast() {
        return (bytes[0] & 0x03) == 0x02;
    }

    /** True for a group (multicast or broadcast) address: the lowest bit of the first byte set. */
    public boolean isMulticast() {
        return (bytes[0] & 0x01) != 0;
    }

    /** True for {@code 00:00:00:00:00:00}. */
    public boolean isZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why this address cannot be an interface's own ({@code --mac-address}), or null when it can: a
     * multicast (or broadcast) address and the all-zeros address are refused, as the kernel's
     * {@code is_valid_ether_addr} does.
     */
    public String interfaceAddressProblem() {
        if (isMulticast()) {
            return "a multicast MAC cannot be an interface's address (the lowest bit of the first octet is set); "
                    + "expected a unicast address like 02:42:ac:11:00:02";
        }
        if (isZero()) {
            return "the all-zeros MAC cannot be an interface's address; expected a unicast address like 02:42:ac:11:00:02";
        }
        return null;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
