package dev.weft.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table for people in the Docker CLI's layout: a header row in capitals, columns left-aligned
 * and separated by at least three spaces, no borders, the last column not padded. Cells never
 * contain line breaks (they are replaced by spaces) so one row stays one line for grep and awk.
 */
final class Table {
    private static final int GAP = 3;

    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = headers.clone();
    }

    Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("a row needs " + headers.length + " cells, not " + cells.length);
        }
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i] == null ? "" : cells[i].toString().replaceAll("[\\r\\n\\t]", " ");
        }
        rows.add(row);
        return this;
    }

    void print(PrintStream out) {
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = headers[i].length();
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        line(out, headers, widths);
        rows.forEach(row -> line(out, row, widths));
        out.flush();
    }

    private static void line(PrintStream out, String[] cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            sb.append(cells[i]);
            if (i < cells.length - 1) {
                char[] pad = new char[widths[i] - cells[i].length() + GAP];
                Arrays.fill(pad, ' ');
                sb.append(pad);
            }
        }
        out.println(sb.toString().stripTrailing());
    }
}
