package dev.weft.bench;

import java.util.Set;
import java.util.TreeSet;

/**
 * Command line: {@code [CHEAP [HEAVY [WARMUP]]] [--only=1,5,7]}.
 *
 * @param cheap  measured iterations of the cheap steps (1 to 4, 6); default 200
 * @param heavy  measured iterations of the namespace and endpoint steps (5, 7); default 50
 * @param warmup unmeasured iterations before each step; default 20
 * @param only   the step numbers to run; empty for all
 */
record Options(int cheap, int heavy, int warmup, Set<Integer> only) {
    static final String USAGE = "usage: KernelBench [CHEAP [HEAVY [WARMUP]]] [--only=STEP,...]\n"
            + "  CHEAP   measured iterations of steps 1-4 and 6 (default 200)\n"
            + "  HEAVY   measured iterations of steps 5 and 7 (default 50)\n"
            + "  WARMUP  unmeasured iterations before each step (default 20)\n"
            + "  --only  e.g. --only=1,7 to run steps 1 and 7";

    static Options parse(String... args) {
        int[] numbers = {200, 50, 20};
        int given = 0;
        Set<Integer> only = new TreeSet<>();
        for (String a : args) {
            if (a.startsWith("--only=")) {
                for (String s : a.substring(7).split(",")) {
                    only.add(number(s, 1, 7));
                }
            } else if (given < numbers.length) {
                int min = given == 2 ? 0 : 1; // the warm-up may be skipped, the measurement not
                numbers[given++] = number(a, min, 10_000);
            } else {
                throw new IllegalArgumentException("unexpected argument \"" + a + "\"\n" + USAGE);
            }
        }
        if (given == 1) {
            numbers[1] = Math.max(1, numbers[0] / 4); // one number scales both, in the default proportion
        }
        return new Options(numbers[0], numbers[1], numbers[2], only);
    }

    boolean runs(int step) {
        return only.isEmpty() || only.contains(step);
    }

    private static int number(String s, int min, int max) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("\"" + s + "\" is not a number from " + min + " to " + max + "\n" + USAGE);
    }
}
