package dev.loyalty.engine.rules;

/** The figures of one account of a customer as shown by the API (api.md, Customers). */
public record AccountView(
        long balance,
        long spendable,
        long reserved,
        long pending,
        long earned,
        long spent,
        long expired,
        long deducted) {

    public static final AccountView ZERO = new AccountView(0, 0, 0, 0, 0, 0, 0, 0);
}
