package dev.weft.testkit;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The three libc calls the kit needs to put a thread into a network namespace. Private on
 * purpose: the kit must not share code with Weft's kernel layer, which it is the oracle for.
 * {@code throws LastErrorException} makes JNA capture errno right after each call.
 */
interface Libc extends Library {
    Libc INSTANCE = Native.load("c", Libc.class);

    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;

    int open(String path, int flags) throws LastErrorException;

    int setns(int fd, int nstype) throws LastErrorException;

    int close(int fd) throws LastErrorException;
}
