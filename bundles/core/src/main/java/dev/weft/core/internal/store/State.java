package dev.weft.core.internal.store;

/**
 * Intent of a record, written before the kernel is changed so that a crash between a kernel change
 * and its record leaves something reconcile can recognise.
 */
public enum State {
    /** Being created: kernel objects may exist in part. Reconcile removes them and the record. */
    CREATING,
    /** Complete. Reconcile re-adopts its kernel objects. */
    READY,
    /** Being removed: kernel objects may remain in part. Reconcile finishes the removal. */
    REMOVING
}
