package dev.loyalty.engine.core;

import java.util.Arrays;

/** Chars packed one after another in a growing array (the transaction ids of the effect sink and outcome facts). */
public final class CharArrays {

    private CharArrays() {
    }

    /**
     * Copies {@code s} into {@code chars} from {@code end}, first doubling the array (or more) when it lacks room;
     * returns the array now holding them.
     */
    public static char[] append(char[] chars, int end, CharSequence s) {
        int n = s.length();
        char[] into = end + n > chars.length ? Arrays.copyOf(chars, Math.max(chars.length * 2, end + n)) : chars;
        for (int c = 0; c < n; c++) {
            into[end + c] = s.charAt(c);
        }
        return into;
    }
}
