package dev.weft.core.internal;

import java.util.concurrent.ConcurrentHashMap;

/** One monitor per object id, so operations on one sandbox run one at a time and others in parallel. */
final class Locks {
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    Object of(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    void forget(String id) {
        locks.remove(id);
    }
}
