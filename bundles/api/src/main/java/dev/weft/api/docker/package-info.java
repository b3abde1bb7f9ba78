/**
 * Docker's shapes and syntax, shared by every front end that speaks Docker: the Karaf shell
 * ({@code network:inspect}, {@code sandbox:inspect}, its option values) and the Engine API bundle
 * ({@code docker-api}). Shapes are built as ordered plain Java values ({@code LinkedHashMap},
 * {@code List}, {@code String}, {@code Boolean}, {@code Number}), so this bundle needs no JSON
 * library: each front end serialises them with its own. Values typed by people or sent in
 * request bodies are parsed here once, with errors that name the field and the value and say what
 * is accepted.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.weft.api.docker;
