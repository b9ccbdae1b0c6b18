package dev.loyalty.engine.core;

/**
 * A reusable view of a slice of a char array as a {@link CharSequence}: a transaction id where it is kept (a
 * customer's transactions, the effect sink's pool) handed to lookups and encoders without a {@code String}.
 * Valid until it is set again or the array it views is replaced.
 */
final class CharsView implements CharSequence {
    private char[] chars;
    /** Chars a caller copies an id into ({@link #room}), for a source that keeps ids in another form. */
    private char[] own;
    private int start;
    private int length;

    /** Views {@code length} chars of {@code chars} from {@code start}; returns this view. */
    CharsView set(char[] chars, int start, int length) {
        this.chars = chars;
        this.start = start;
        this.length = length;
        return this;
    }

    /**
     * This view's own array with room for {@code n} chars, to copy an id into and then {@link #set} to: allocated
     * the first time and when a longer id comes, not per id.
     */
    char[] room(int n) {
        if (own == null || own.length < n) {
            own = new char[Math.max(n, own == null ? 32 : 2 * own.length)];
        }
        return own;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return chars[start + index];
    }

    @Override
    public CharSequence subSequence(int from, int to) {
        return toString().subSequence(from, to);
    }

    @Override
    public String toString() {
        return new String(chars, start, length);
    }
}
