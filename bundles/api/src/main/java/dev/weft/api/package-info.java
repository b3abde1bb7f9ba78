/**
 * Weft's service API: the {@link dev.weft.api.Controller} that owns networks, sandboxes and
 * endpoints, the requests it takes and the views it returns, and its typed errors. Implemented
 * by core only; used by the shell and by platforms that embed Weft.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.10.0")
package dev.weft.api;
