package dev.loyalty.engine.rules;

/**
 * Binary form of a {@link Customer} for the state store. Deterministic: equal states give equal bytes
 * (replay is checked byte for byte), so collections are written in a defined order.
 */
public final class CustomerCodec {

    private CustomerCodec() {
    }

    public static byte[] encode(Customer customer) {
        throw new UnsupportedOperationException("rules: to be written");
    }

    public static Customer decode(byte[] bytes) {
        throw new UnsupportedOperationException("rules: to be written");
    }
}
