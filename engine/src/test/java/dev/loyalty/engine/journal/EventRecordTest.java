package dev.loyalty.engine.journal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.event.EventArbitraries;
import dev.loyalty.engine.event.EventReader;
import dev.loyalty.engine.event.EventValidator;
import dev.loyalty.engine.event.JsonSpelling;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.rules.TestConfigs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-event path's encoding ({@link EventReader#readChecked} into an {@link EventRecord}) against the
 * path it replaces (the tree validator's {@link Event}, then {@link EventCodec#write(Bytes, Event, long)}):
 * the same bytes for every valid event, and the same whole journal record through
 * {@link ChronicleJournal#appendEvent} as through {@code appendEvents}.
 */
class EventRecordTest {

    /** 2026-01-01T00:00:00Z. */
    private static final long NOW = 1_767_225_600_000L;
    /** Configured as the API's {@code JsonBodies} parser (as EventReaderTest's). */
    private static final ObjectMapper TREE = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Bodies as clients send them: the request benchmark's checkout and one of each kind of attribute. */
    private static final List<String> RECORDED = List.of(
            "{\"customer\":\"c-17\",\"action\":\"checkout\",\"id\":\"b-e1\",\"data\":{\"transaction_id\":\"b-t1\","
                    + "\"items\":[{\"product_id\":\"sku-1\",\"price\":19.99,\"quantity\":2},"
                    + "{\"product_id\":\"sku-2\",\"price\":45.50,\"quantity\":1,\"discount\":5.00}]}}",
            "{\"customer\":\"c-1\",\"action\":\"checkout\",\"data\":{\"transaction_id\":\"t-9\",\"total\":120.5,"
                    + "\"points_burned\":40,\"effective_timestamp\":\"2025-12-31T12:00:00Z\"}}",
            "{\"customer\":\"c-1\",\"action\":\"opt_in\",\"id\":\"o-1\",\"data\":{\"email\":\"a@b.c\",\"age\":41,"
                    + "\"tags\":[\"x\",{\"y\":1.50}],\"effective_timestamp\":1767225500}}",
            "{\"customer\":\"c-2\",\"action\":\"profile\",\"data\":{\"city\":\"Zürich\"}}",
            "{\"customer\":\"c-2\",\"action\":\"point_add\",\"account\":\"points\",\"data\":{\"points\":500,"
                    + "\"reason\":\"welcome été\"}}",
            "{\"customer\":\"c-3\",\"action\":\"point_spend\",\"id\":\"s-1\",\"data\":{\"points\":1}}",
            "{\"customer\":\"c-3\",\"action\":\"partial_refund\",\"data\":{\"transaction_id\":\"t-9\",\"amount\":0.01}}",
            "{\"customer\":\"c-3\",\"action\":\"reserve_points\",\"data\":{\"transaction_id\":\"t-9\",\"points\":7}}",
            "{\"customer\":\"c-4\",\"action\":\"opt_out\"}",
            "{\"customer\":\"c-4\",\"action\":\"review_written\",\"data\":{\"reason\":\"r\",\"transaction_id\":\"t\"}}");

    private final EventValidator validator = new EventValidator(TestConfigs.defaults());
    private final EventReader reference = new EventReader(TestConfigs.defaults());
    private final EventReader reader = new EventReader(TestConfigs.defaults());
    private final EventRecord record = new EventRecord();

    @Provide
    Arbitrary<JsonNode> events() {
        return EventArbitraries.events();
    }

    /** The replaced path: the tree validator's event and the hash the reader computed, through the codec. */
    private byte[] replaced(Event event, long hash) {
        Bytes<?> out = Bytes.allocateElasticOnHeap(256);
        EventCodec.write(out, event, hash);
        return out.toByteArray();
    }

    /** The tree validator's event, or null when it refuses the body. */
    private Event treeEvent(String body) throws Exception {
        Validated v = validator.validate(TREE.readTree(body), NOW);
        return v.isOk() ? v.event() : null;
    }

    private void assertSameEncoding(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Event expected = treeEvent(body);
        ValidationError error = reader.readChecked(bytes, NOW);
        assertThat(error == null).as(body).isEqualTo(expected != null);
        if (expected == null) {
            return;
        }
        record.encode(reader.checked());
        long hash = reference.readEvent(bytes, NOW).bodyHash();
        assertThat(record.bytes().toByteArray()).as(body).isEqualTo(replaced(expected, hash));
        assertThat(record.decode()).isEqualTo(expected);
        assertThat(record.customer()).isEqualTo(expected.customer());
        assertThat(record.action()).isEqualTo(expected.action());
        assertThat(record.id()).isEqualTo(expected.id());
        assertThat(record.bodyHash()).isEqualTo(hash);
    }

    @Property(tries = 3000)
    void shouldEncodeRandomEventsAsTheEventPathDoes(@ForAll("events") JsonNode node, @ForAll Random random)
            throws Exception {
        String body;
        try {
            body = JsonSpelling.write(node, random);
            TREE.readTree(body);
        } catch (Exception notJson) {
            return; // whole-body failures are EventReaderTest's
        }
        assertSameEncoding(body);
    }

    @Test
    void shouldEncodeRecordedBodiesAsTheEventPathDoes() throws Exception {
        for (String body : RECORDED) {
            assertThat(treeEvent(body)).as(body).isNotNull();
            assertSameEncoding(body);
        }
    }

    @Test
    @Timeout(60)
    void shouldJournalTheSameRecordAsAppendEvents(@TempDir Path dir) throws Exception {
        List<List<Object>> viaEvents = new ArrayList<>();
        List<List<Object>> viaRecord = new ArrayList<>();
        for (String body : RECORDED) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            Event event = reference.readEvent(bytes, NOW).validated().event();
            long hash = reference.readEvent(bytes, NOW).bodyHash();
            assertThat(reader.readChecked(bytes, NOW)).isNull();
            record.encode(reader.checked());
            Path a = dir.resolve("a-" + viaEvents.size());
            Path b = dir.resolve("b-" + viaEvents.size());
            // Same clock, same first seq, 8 partitions (a mask): the whole record, CRC included, must match.
            try (ChronicleJournal ja = ChronicleJournal.open(a, () -> NOW, DiskSpaceGuard.off(a), 8);
                 ChronicleJournal jb = ChronicleJournal.open(b, () -> NOW, DiskSpaceGuard.off(b), 8)) {
                long[] hooked = new long[2];
                assertThat(ja.appendEvents(List.of(new Submitted(event, hash)), null)).isEqualTo(1);
                assertThat(jb.appendEvent(record, (seq, t) -> hooked[0] = seq)).isEqualTo(1);
                assertThat(hooked[0]).isEqualTo(1);
                assertThat(jb.lastSeq()).isEqualTo(1);
                viaEvents.add(only(ja));
                viaRecord.add(only(jb));
            }
        }
        assertThat(viaRecord).isEqualTo(viaEvents);
    }

    /** The journal's only record: its header words and payload bytes. */
    private static List<Object> only(ChronicleJournal j) {
        List<List<Object>> seen = new ArrayList<>();
        try (JournalReader r = j.reader()) {
            while (r.next((pos, h, payload) -> seen.add(List.of(h.type(), h.firstSeq(), h.count, h.maskPartitions,
                    h.mask, h.crc, h.headerCheck, toBytes(payload))))) {
                // read on
            }
        }
        assertThat(seen).hasSize(1);
        return List.copyOf(seen.get(0));
    }

    private static List<Byte> toBytes(Bytes<?> payload) {
        List<Byte> out = new ArrayList<>();
        while (payload.readRemaining() > 0) {
            out.add(payload.readByte());
        }
        return out;
    }
}
