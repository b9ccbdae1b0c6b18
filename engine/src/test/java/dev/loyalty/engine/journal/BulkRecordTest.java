package dev.loyalty.engine.journal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.Event;
import dev.loyalty.engine.event.EventArbitraries;
import dev.loyalty.engine.event.EventReader;
import dev.loyalty.engine.event.JsonSpelling;
import dev.loyalty.engine.event.ReadEvent;
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
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bulk path's encoding ({@link EventReader#readBulk(byte[], long, int, dev.loyalty.engine.event.BulkSlots)}
 * into a {@link BulkRecord}) against the path it replaces ({@link EventReader#readBulk(byte[], long, int)}'s
 * {@link Event}s through {@link EventCodec#write(Bytes, Event, long)}, journaled by
 * {@link ChronicleJournal#appendEvents}): the same slots and errors, the same bytes per event, and the same whole
 * journal records, CRC and partition mask included, through {@link ChronicleJournal#appendBulk}.
 */
class BulkRecordTest {

    /** 2026-01-01T00:00:00Z. */
    private static final long NOW = 1_767_225_600_000L;

    /** Bodies as clients send them (EventRecordTest's), for whole bulks of valid and invalid slots. */
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
            "{\"customer\":\"c-4\",\"action\":\"review_written\",\"data\":{\"reason\":\"r\",\"transaction_id\":\"t\"}}",
            "{\"customer\":\"c-5\",\"action\":\"point_spend\",\"data\":{\"points\":-1}}",
            "{\"customer\":\"c-5\",\"action\":\"no_such_action\"}",
            "[1,2]");

    private final EventReader reference = new EventReader(TestConfigs.defaults());
    private final EventReader reader = new EventReader(TestConfigs.defaults());
    private final BulkRecord record = new BulkRecord();

    @Provide
    Arbitrary<List<JsonNode>> bulks() {
        return EventArbitraries.plausible().list().ofMaxSize(12);
    }

    private static byte[] bulkBody(List<String> slots) {
        return ("{\"events\":[" + String.join(",", slots) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    /** What the replaced path journals after the event count: per event its hash, length and encoding. */
    private static byte[] replaced(BulkRead read) {
        Bytes<?> out = Bytes.allocateElasticOnHeap(1024);
        for (ReadEvent slot : read.slots()) {
            if (slot.validated().isOk()) {
                Event e = slot.validated().event();
                out.writeInt(PartitionHash.of(e.customer()));
                Bytes<?> one = Bytes.allocateElasticOnHeap(256);
                EventCodec.write(one, e, slot.bodyHash());
                out.writeInt((int) one.writePosition());
                out.write(one);
            }
        }
        return out.toByteArray();
    }

    private static List<Submitted> submitted(BulkRead read) {
        List<Submitted> out = new ArrayList<>();
        for (ReadEvent slot : read.slots()) {
            if (slot.validated().isOk()) {
                out.add(new Submitted(slot.validated().event(), slot.bodyHash()));
            }
        }
        return out;
    }

    /** Reads {@code body} both ways and checks that they agree; the replaced path's read. */
    private BulkRead assertSameRead(byte[] body, int bulkMax) throws Exception {
        BulkRead expected;
        try {
            expected = reference.readBulk(body, NOW, bulkMax);
        } catch (Exception e) {
            Exception actual = null;
            try {
                reader.readBulk(body, NOW, bulkMax, record);
            } catch (Exception thrown) {
                actual = thrown;
            }
            assertThat(actual).isNotNull().hasSameClassAs(e).hasMessage(e.getMessage());
            return null;
        }
        ValidationError envelope = reader.readBulk(body, NOW, bulkMax, record);
        assertThat(envelope).isEqualTo(expected.error());
        if (envelope != null) {
            return expected;
        }
        List<ReadEvent> slots = expected.slots();
        assertThat(record.slots()).isEqualTo(slots.size());
        int j = 0;
        int invalid = 0;
        for (int i = 0; i < slots.size(); i++) {
            ReadEvent slot = slots.get(i);
            if (!slot.validated().isOk()) {
                assertThat(record.error(i)).isEqualTo(slot.validated().error());
                invalid++;
                continue;
            }
            assertThat(record.error(i)).isNull();
            Event e = slot.validated().event();
            assertThat(record.decode(j)).isEqualTo(e);
            assertThat(record.customer(j)).isEqualTo(e.customer());
            assertThat(record.action(j)).isEqualTo(e.action());
            assertThat(record.id(j)).isEqualTo(e.id());
            assertThat(record.bodyHash(j)).isEqualTo(slot.bodyHash());
            assertThat(record.partitionHash(j)).isEqualTo(PartitionHash.of(e.customer()));
            j++;
        }
        assertThat(record.count()).isEqualTo(j);
        assertThat(record.invalidSlots()).isEqualTo(invalid);
        assertThat(record.bytes().toByteArray()).isEqualTo(replaced(expected));
        assertThat(record.toRead()).isEqualTo(expected);
        assertThat(record.toSubmitted()).isEqualTo(submitted(expected));
        return expected;
    }

    @Property(tries = 500)
    void shouldReadRandomBulksAsTheEventPathDoes(@ForAll("bulks") List<JsonNode> events, @ForAll Random random)
            throws Exception {
        List<String> slots = new ArrayList<>();
        for (JsonNode event : events) {
            slots.add(JsonSpelling.write(event, random));
        }
        assertSameRead(bulkBody(slots), 1 + random.nextInt(12));
    }

    @Test
    void shouldReadEnvelopeErrorsAsTheEventPathDoes() throws Exception {
        for (String body : List.of("[]", "{}", "{\"events\":{}}", "{\"events\":[1,2,3]}", "{\"events\":[],\"x\":1}",
                "{\"events\":[{\"customer\":\"c\",\"action\":\"opt_in\"}],\"events\":[]}", "{\"events\":[1e4000000000]}",
                "{\"events\":[" + RECORDED.get(0) + "]} x", "  ")) {
            assertSameRead(body.getBytes(StandardCharsets.UTF_8), 2);
        }
    }

    @Test
    @Timeout(60)
    void shouldJournalTheSameRecordsAsAppendEvents(@TempDir Path dir) throws Exception {
        Random random = new Random(7);
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        // Same clock, same seqs, 8 partitions (a mask): every record, CRC included, must match.
        try (ChronicleJournal ja = ChronicleJournal.open(a, () -> NOW, DiskSpaceGuard.off(a), 8);
             ChronicleJournal jb = ChronicleJournal.open(b, () -> NOW, DiskSpaceGuard.off(b), 8)) {
            for (int bulk = 0; bulk < 200; bulk++) {
                List<String> slots = new ArrayList<>();
                for (int i = 1 + random.nextInt(40); i > 0; i--) {
                    slots.add(RECORDED.get(random.nextInt(RECORDED.size())));
                }
                BulkRead read = assertSameRead(bulkBody(slots), 100);
                List<Submitted> events = submitted(read);
                if (events.isEmpty()) {
                    continue;
                }
                long[] hooked = {-1, -1};
                long first = ja.appendEvents(events, null);
                assertThat(jb.appendBulk(record, (seq, t) -> {
                    hooked[0] = seq;
                    hooked[1] = t;
                })).isEqualTo(first);
                assertThat(hooked[0]).isEqualTo(first);
                assertThat(jb.lastSeq()).isEqualTo(ja.lastSeq()).isEqualTo(first + events.size() - 1);
            }
            assertThat(records(jb)).isEqualTo(records(ja)).hasSizeGreaterThan(150);
        }
    }

    /** Every record of the journal: its header words and payload bytes. */
    private static List<List<Object>> records(ChronicleJournal j) {
        List<List<Object>> seen = new ArrayList<>();
        try (JournalReader r = j.reader()) {
            while (r.next((pos, h, payload) -> seen.add(List.of(h.type(), h.firstSeq(), h.count, h.maskPartitions,
                    h.mask, h.crc, h.headerCheck, toBytes(payload))))) {
                // read on
            }
        }
        return seen;
    }

    private static List<Byte> toBytes(Bytes<?> payload) {
        List<Byte> out = new ArrayList<>();
        while (payload.readRemaining() > 0) {
            out.add(payload.readByte());
        }
        return out;
    }

    @Test
    void shouldHashEachIdOncePerBulkAndAfreshForTheNext() throws Exception {
        ToLongFunction<String> expected = id -> id.hashCode() * 31L + 7;
        int[] calls = {0};
        ToLongFunction<String> counted = id -> {
            calls[0]++;
            return expected.applyAsLong(id);
        };
        String slot = "{\"customer\":\"c-1\",\"action\":\"point_add\",\"id\":\"%s\",\"data\":{\"points\":1}}";
        byte[] first = bulkBody(List.of(String.format(slot, "a-1"), String.format(slot, "a-2")));
        assertThat(reader.readBulk(first, NOW, 100, record)).isNull();
        for (int ask = 0; ask < 3; ask++) { // the id index's hint, lookup and put
            assertThat(record.idHash(0, counted)).isEqualTo(expected.applyAsLong("a-1"));
            assertThat(record.idHash(1, counted)).isEqualTo(expected.applyAsLong("a-2"));
        }
        assertThat(calls[0]).as("each id hashed once").isEqualTo(2);

        record.clear();
        assertThat(reader.readBulk(bulkBody(List.of(String.format(slot, "b-1"))), NOW, 100, record)).isNull();
        assertThat(record.idHash(0, counted)).as("the next bulk's id, not the last one's hash")
                .isEqualTo(expected.applyAsLong("b-1"));
    }
}
