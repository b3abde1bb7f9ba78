package dev.weft.linux.internal;

import static dev.weft.linux.internal.Hex.assertBytes;
import static dev.weft.linux.internal.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.linux.KernelException;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Received datagrams and error answers (uapi linux/netlink.h): NLMSG_ERROR (2) carries struct
 * nlmsgerr {int error; struct nlmsghdr msg;} followed by the rest of the request unless
 * NLM_F_CAPPED (0x100), then, with NLM_F_ACK_TLVS (0x200), NLMSGERR_ATTR_MSG (1, string) and
 * NLMSGERR_ATTR_OFFS (2, u32). NLMSG_DONE (3) carries an int (0 or -errno), then TLVs when
 * NLM_F_ACK_TLVS. NLM_F_MULTI is 0x2. Bytes are little-endian, written by hand.
 */
class NlRepliesTest {

    @BeforeAll
    static void littleEndianHost() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "these fixed arrays assume x86-64");
    }

    /** Two RTM_NEWADDR parts of a dump (the second of odd length), NLMSG_DONE, then 8 stray bytes. */
    private static final byte[] DUMP_DATAGRAM = bytes(""
            // @0 RTM_NEWADDR, 32 bytes
            + "20 00 00 00  14 00  02 00  07 00 00 00  39 30 00 00" // len 32, type 20, MULTI, seq 7, pid 12345
            + "02 18 80 00  04 00 00 00"                          // ifaddrmsg AF_INET /24 PERMANENT, index 4
            + "08 00 01 00  0a 01 00 02"                          // IFA_ADDRESS 10.1.0.2
            // @32 RTM_NEWADDR, nlmsg_len 31: the next message starts at NLMSG_ALIGN(31) = 32
            + "1f 00 00 00  14 00  02 00  07 00 00 00  39 30 00 00"
            + "02 08 80 fe  01 00 00 00"                          // AF_INET /8 PERMANENT scope host, index 1
            + "07 00 03 00  6c 6f 00"                             // IFA_LABEL "lo\0" (unpadded)
            + "00"                                                // alignment
            // @64 NLMSG_DONE
            + "14 00 00 00  03 00  02 00  07 00 00 00  39 30 00 00" // len 20, NLMSG_DONE, MULTI, seq 7
            + "00 00 00 00"                                       // no error
            // @84 a truncated header
            + "30 00 00 00  14 00 02 00");

    @Test
    void splitsAMultiPartDump() {
        List<NlMessage> ms = NlReplies.split(Hex.buffer(DUMP_DATAGRAM), DUMP_DATAGRAM.length);
        assertEquals(3, ms.size());

        assertEquals(Rtnl.RTM_NEWADDR, ms.get(0).type());
        assertEquals(Netlink.NLM_F_MULTI, ms.get(0).flags());
        assertEquals(7, ms.get(0).seq());
        assertBytes(bytes("02 18 80 00  04 00 00 00  08 00 01 00  0a 01 00 02"),
                NlAttrs.bytesOf(ms.get(0).payload()));

        assertEquals(Rtnl.RTM_NEWADDR, ms.get(1).type());
        assertBytes(bytes("02 08 80 fe  01 00 00 00  07 00 03 00  6c 6f 00"), NlAttrs.bytesOf(ms.get(1).payload()));
        assertEquals("lo", ms.get(1).attrs(Rtnl.IFADDRMSG_LEN).string(Rtnl.IFA_LABEL));

        assertEquals(Netlink.NLMSG_DONE, ms.get(2).type());
        assertEquals(7, ms.get(2).seq());
        assertBytes(bytes("00 00 00 00"), NlAttrs.bytesOf(ms.get(2).payload()));
        assertSame(ByteOrder.nativeOrder(), ms.get(2).payload().order());
    }

    @Test
    void splitHonoursTheReceivedLength() {
        assertEquals(2, NlReplies.split(Hex.buffer(DUMP_DATAGRAM), 64).size());
        assertEquals(1, NlReplies.split(Hex.buffer(DUMP_DATAGRAM), 62).size()); // 2nd would end at 63
        assertEquals(0, NlReplies.split(Hex.buffer(DUMP_DATAGRAM), 15).size());
        // nlmsg_len below the header size stops the walk instead of looping
        assertEquals(0, NlReplies.split(Hex.buffer(bytes("0f 00 00 00  03 00 00 00  01 00 00 00  00 00 00 00")), 16)
                .size());
    }

    private static NlMessage one(byte[] datagram) {
        List<NlMessage> ms = NlReplies.split(Hex.buffer(datagram), datagram.length);
        assertEquals(1, ms.size());
        return ms.get(0);
    }

    @Test
    void cappedAck() {
        NlMessage m = one(bytes(""
                + "24 00 00 00  02 00  00 01  01 00 00 00  39 30 00 00" // len 36, NLMSG_ERROR, CAPPED, seq 1
                + "00 00 00 00"                                       // error 0: an ack
                + "40 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00")); // the request's header only
        NlReplies r = new NlReplies();
        NlReplies.Answer a = r.answer(m.seq());
        NlReplies.readError(m, a);
        assertEquals(0, a.errno);
        assertFalse(a.failed());
        assertNull(a.extack);
        assertEquals(-1, a.errorOffset);
        assertNull(r.firstError());
        r.throwIfFailed("create link", "br0");
    }

    @Test
    void cappedErrorWithExtendedAck() {
        NlMessage m = one(bytes(""
                + "44 00 00 00  02 00  00 03  01 00 00 00  39 30 00 00" // len 68, NLMSG_ERROR, CAPPED|ACK_TLVS
                + "a1 ff ff ff"                                       // error -95 EOPNOTSUPP
                + "38 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00" // echoed header (len 56 request)
                + "18 00 01 00"                                       // NLMSGERR_ATTR_MSG len 24
                + "  55 6e 6b 6e 6f 77 6e 20  64 65 76 69 63 65 20 74  79 70 65 00" // "Unknown device type\0"
                + "08 00 02 00  28 00 00 00"));                       // NLMSGERR_ATTR_OFFS 40
        NlReplies r = new NlReplies();
        NlReplies.Answer a = r.answer(m.seq());
        NlReplies.readError(m, a);
        assertEquals(95, a.errno);
        assertTrue(a.failed());
        assertEquals("Unknown device type", a.extack);
        assertEquals(40, a.errorOffset);
        assertSame(a, r.firstError());

        KernelException e = assertThrows(KernelException.class, () -> r.throwIfFailed("create link", "dm0"));
        assertEquals(95, e.errno());
        assertTrue(e.isNotSupported());
        assertEquals("Unknown device type", e.kernelMessage());
        assertEquals("cannot create link \"dm0\": EOPNOTSUPP (Operation not supported): Unknown device type",
                e.getMessage());
    }

    @Test
    void uncappedErrorEchoesTheWholeRequest() {
        NlMessage m = one(bytes(""
                + "80 00 00 00  02 00  00 02  01 00 00 00  39 30 00 00" // len 128, NLMSG_ERROR, ACK_TLVS
                + "ea ff ff ff"                                       // error -22 EINVAL
                // the whole 64-byte request: bridge "br0" with MTU 60
                + "40 00 00 00  10 00  05 06  01 00 00 00  00 00 00 00"
                + "00 00 00 00  00 00 00 00  01 00 00 00  01 00 00 00"
                + "08 00 03 00  62 72 30 00"
                + "08 00 04 00  3c 00 00 00"                          // IFLA_MTU 60 at offset 40
                + "10 00 12 00  0b 00 01 00  62 72 69 64  67 65 00 00"
                // then the TLVs
                + "21 00 01 00"                                       // NLMSGERR_ATTR_MSG len 33
                + "  6d 74 75 20 6c 65 73 73  20 74 68 61 6e 20 64 65" //   "mtu less than de"
                + "  76 69 63 65 20 6d 69 6e  69 6d 75 6d 00  00 00 00" //   "vice minimum\0" + 3 pad
                + "08 00 02 00  28 00 00 00"));                       // NLMSGERR_ATTR_OFFS 40
        NlReplies.Answer a = new NlReplies().answer(1);
        NlReplies.readError(m, a);
        assertEquals(22, a.errno);
        assertEquals("mtu less than device minimum", a.extack);
        assertEquals(40, a.errorOffset);
    }

    @Test
    void uncappedEchoOfAnUnalignedRequestIsPadded() {
        NlMessage m = one(bytes(""
                + "4c 00 00 00  02 00  00 02  02 00 00 00  39 30 00 00" // len 76, ACK_TLVS, seq 2
                + "ed ff ff ff"                                       // error -19 ENODEV
                + "25 00 00 00  12 00  01 00  02 00 00 00  00 00 00 00" // echoed request, nlmsg_len 37
                + "00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
                + "05 00 03 00  78"                                   //   IFLA_IFNAME "x" (no NUL)
                + "00 00 00"                                          // NLMSG_ALIGN(37) = 40
                + "08 00 01 00  62 61 64 00"                          // NLMSGERR_ATTR_MSG "bad\0"
                + "08 00 02 00  20 00 00 00"));                       // NLMSGERR_ATTR_OFFS 32
        NlReplies.Answer a = new NlReplies().answer(2);
        NlReplies.readError(m, a);
        assertEquals(19, a.errno);
        assertEquals("bad", a.extack);
        assertEquals(32, a.errorOffset);
    }

    @Test
    void uncappedErrorWithoutTlvs() {
        NlMessage m = one(bytes(""
                + "34 00 00 00  02 00  00 00  01 00 00 00  39 30 00 00" // len 52, no flags
                + "ef ff ff ff"                                       // error -17 EEXIST
                + "20 00 00 00  11 00  05 00  01 00 00 00  00 00 00 00" // the request: RTM_DELLINK #9
                + "00 00 00 00  09 00 00 00  00 00 00 00  00 00 00 00"));
        NlReplies.Answer a = new NlReplies().answer(1);
        NlReplies.readError(m, a);
        assertEquals(17, a.errno);
        assertNull(a.extack);
        assertEquals(-1, a.errorOffset);
    }

    @Test
    void doneCarryingAnError() {
        NlMessage m = one(Hex.cat(bytes(""
                + "48 00 00 00  03 00  02 02  07 00 00 00  39 30 00 00" // len 72, NLMSG_DONE, MULTI|ACK_TLVS
                + "ea ff ff ff"                                       // -22 EINVAL
                + "32 00 01 00"),                                     // NLMSGERR_ATTR_MSG len 50
                Hex.ascii("ipv4: Invalid header for address dump request"),
                bytes("00  00 00")));                                 // NUL + 2 pad
        NlReplies.Answer a = new NlReplies().answer(7);
        NlReplies.readError(m, a);
        assertEquals(22, a.errno);
        assertEquals("ipv4: Invalid header for address dump request", a.extack);
        assertEquals(-1, a.errorOffset);
    }

    @Test
    void doneWithoutTlvsAndCleanDone() {
        NlReplies.Answer failed = new NlReplies().answer(7);
        NlReplies.readError(one(bytes("14 00 00 00  03 00  02 00  07 00 00 00  00 00 00 00  f0 ff ff ff")), failed);
        assertEquals(16, failed.errno); // -16 EBUSY
        assertNull(failed.extack);

        NlReplies.Answer clean = new NlReplies().answer(7);
        NlReplies.readError(one(DUMP_DATAGRAM_DONE), clean);
        assertEquals(0, clean.errno);
    }

    private static final byte[] DUMP_DATAGRAM_DONE =
            bytes("14 00 00 00  03 00  02 00  07 00 00 00  39 30 00 00  00 00 00 00");

    @Test
    void tooShortPayloadIsIgnored() {
        NlReplies.Answer a = new NlReplies().answer(1);
        NlReplies.readError(one(bytes("12 00 00 00  02 00  00 00  01 00 00 00  00 00 00 00  ea ff")), a);
        assertEquals(0, a.errno);
    }

    @Test
    void answersAreKeyedBySequence() {
        NlReplies r = new NlReplies();
        NlReplies.Answer one = r.answer(1);
        assertSame(one, r.answer(1));
        assertNull(r.get(2));
        assertEquals(List.of(), r.messages(2));
        NlMessage m = one(bytes("14 00 00 00  10 00 00 00  01 00 00 00  00 00 00 00  01 02 03 04"));
        one.messages.add(m);
        assertEquals(List.of(m), r.messages(1));
        r.answer(2).errno = 2;
        assertEquals(2, r.firstError().seq);
        assertEquals(2, r.all().size());
    }
}
