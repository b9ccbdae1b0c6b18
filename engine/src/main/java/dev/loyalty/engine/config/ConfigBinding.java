package dev.loyalty.engine.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.type.CollectionType;
import dev.loyalty.engine.config.Units.ByteSize;
import dev.loyalty.engine.config.Units.TimeSpan;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Binds the merged configuration tree into {@link ConfigTree} with Jackson. Each leaf is converted by its
 * bound type, from a typed YAML value or from text (environment, command line); a value that cannot be converted
 * is reported to {@link Problems}, naming its key, and bound as null instead of stopping the binding, so one
 * pass finds every problem. Conversions only; ranges and cross-key rules are {@link ConfigValidator}'s.
 */
final class ConfigBinding {

    /** Component {@code maxBody} is key {@code max-body}; {@link ConfigSchema} names keys with the same strategy. */
    static final PropertyNamingStrategies.NamingBase NAMES = new PropertyNamingStrategies.KebabCaseStrategy();

    /** Leaf conversions by bound type; enums are converted by {@link #enumValue}. */
    private static final Map<Class<?>, Leaf<?>> LEAVES = Map.of(
            Long.class, new Leaf<>(Long.class, ConfigBinding::whole),
            Boolean.class, new Leaf<>(Boolean.class, ConfigBinding::bool),
            BigDecimal.class, new Leaf<>(BigDecimal.class, ConfigBinding::decimal),
            String.class, new Leaf<>(String.class, ConfigBinding::text),
            TimeSpan.class, new Leaf<>(TimeSpan.class, ConfigBinding::timeSpan),
            ByteSize.class, new Leaf<>(ByteSize.class, ConfigBinding::byteSize));

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(NAMES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .registerModule(new ConfigModule());

    private ConfigBinding() {
    }

    /** The bound tree, or null when it could not be bound at all (then {@code problems} says why). */
    static ConfigTree bind(ObjectNode tree, Problems problems) {
        try {
            return MAPPER.readerFor(ConfigTree.class).withAttribute(Problems.class, problems).readValue(tree);
        } catch (IOException e) {
            // Only a shape the structure check let through gets here: report it rather than fail with a trace.
            problems.add("configuration: cannot be bound: " + e.getMessage());
            return null;
        }
    }

    /** Splits comma- or plus-separated text into trimmed parts; blank text is no parts. */
    static List<String> split(String text, String separator) {
        List<String> parts = new ArrayList<>();
        if (!text.isBlank()) {
            for (String part : text.split(Pattern.quote(separator), -1)) {
                parts.add(part.trim());
            }
        }
        return parts;
    }

    static String show(JsonNode node) {
        return node.isTextual() ? "'" + node.textValue() + "'" : node.toString();
    }

    // ---- conversions: each returns the value or throws IllegalArgumentException saying what is wrong ----

    private static Long whole(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.textValue().trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("must be a whole number, got " + show(node));
    }

    private static Boolean bool(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        String text = node.isTextual() ? node.textValue().trim().toLowerCase(Locale.ROOT) : "";
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("must be true or false, got " + show(node));
    }

    private static BigDecimal decimal(JsonNode node) {
        try {
            BigDecimal value;
            if (node.isNumber()) {
                value = node.decimalValue();
            } else if (node.isTextual()) {
                value = new BigDecimal(node.textValue().trim());
            } else {
                throw new NumberFormatException();
            }
            // One canonical form (1.0 and 1 alike), since the rules are journaled and compared.
            value = value.stripTrailingZeros();
            return value.scale() < 0 ? value.setScale(0) : value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a decimal number, got " + show(node), e);
        }
    }

    private static String text(JsonNode node) {
        if (node.isContainerNode()) {
            throw new IllegalArgumentException("must be a single value, got " + show(node));
        }
        return node.asText().trim();
    }

    private static TimeSpan timeSpan(JsonNode node) {
        if (!node.isValueNode()) {
            throw new IllegalArgumentException("must be a duration such as 250ms, 5s, 7d, got " + show(node));
        }
        return new TimeSpan(Units.parseDuration(node.asText()), node.asText());
    }

    private static ByteSize byteSize(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return new ByteSize(node.longValue(), node.asText());
        }
        if (node.isTextual()) {
            return new ByteSize(Units.parseSize(node.textValue()), node.asText());
        }
        throw new IllegalArgumentException("must be a size such as 512KiB or 1MiB, got " + show(node));
    }

    /** An enum constant by its lower-case name, any case accepted. */
    private static Object enumValue(Class<?> type, JsonNode node) {
        String text = text(node);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        List<String> allowed = new ArrayList<>();
        for (Object constant : type.getEnumConstants()) {
            String name = ((Enum<?>) constant).name().toLowerCase(Locale.ROOT);
            if (name.equalsIgnoreCase(text)) {
                return constant;
            }
            allowed.add(name);
        }
        throw new IllegalArgumentException("must be one of " + String.join(", ", allowed) + ", got '" + text + "'");
    }

    // ---- Jackson plumbing ----

    /** The dotted key of the value the parser is at, with list indexes: {@code api.keys[0].scopes[1]}. */
    private static String path(JsonParser p) {
        JsonStreamContext context = p.getParsingContext();
        if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
            context = context.getParent(); // at a container's start the context is already the container's own
        }
        StringBuilder path = new StringBuilder();
        append(path, context);
        return path.toString();
    }

    private static void append(StringBuilder path, JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return;
        }
        append(path, context.getParent());
        if (context.inArray()) {
            path.append('[').append(context.getCurrentIndex()).append(']');
        } else {
            path.append(path.length() == 0 ? "" : ".").append(context.getCurrentName());
        }
    }

    private static Problems problems(DeserializationContext ctxt) {
        return (Problems) ctxt.getAttribute(Problems.class);
    }

    /** Converts one leaf value; a value it refuses is reported and bound as null. */
    private static final class Leaf<T> extends JsonDeserializer<T> {
        private final Class<?> type;
        private final Function<JsonNode, T> conversion;

        Leaf(Class<?> type, Function<JsonNode, T> conversion) {
            this.type = type;
            this.conversion = conversion;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String path = path(p);
            return convert(path, ctxt.readTree(p), problems(ctxt));
        }

        T convert(String path, JsonNode node, Problems problems) {
            try {
                return conversion.apply(node);
            } catch (IllegalArgumentException e) {
                problems.refuse(path, e.getMessage());
                return null;
            }
        }

        @Override
        public Class<?> handledType() {
            return type;
        }
    }

    /** A list of values may also be written as comma-separated text (the environment, the command line). */
    private static final class TextList extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;
        /** Converts one item; null for lists of maps, which have their own text form (see CompactText). */
        private final transient Leaf<?> item;

        TextList(JsonDeserializer<?> list, Leaf<?> item) {
            super(list);
            this.item = item;
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> list) {
            return new TextList(list, item);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.isExpectedStartArrayToken()) {
                return super.deserialize(p, ctxt);
            }
            String path = path(p);
            JsonNode node = ctxt.readTree(p);
            if (item == null || !node.isTextual()) {
                problems(ctxt).refuse(path, "must be a list, got " + show(node));
                return null;
            }
            List<Object> items = new ArrayList<>();
            List<String> parts = split(node.textValue(), ",");
            for (int i = 0; i < parts.size(); i++) {
                items.add(item.convert(path + "[" + i + "]", TextNode.valueOf(parts.get(i)), problems(ctxt)));
            }
            return items;
        }
    }

    /** Kebab-case names, the leaf conversions, lists from text. */
    private static final class ConfigModule extends Module {
        @Override
        public String getModuleName() {
            return "configuration";
        }

        @Override
        public Version version() {
            return Version.unknownVersion();
        }

        @Override
        public void setupModule(SetupContext context) {
            context.addDeserializers(new LeafDeserializers());
            context.addBeanDeserializerModifier(new ListsFromText());
        }
    }

    /** Finds the leaf conversions, and one for every enum. */
    private static final class LeafDeserializers extends Deserializers.Base {
        @Override
        public JsonDeserializer<?> findBeanDeserializer(JavaType type, DeserializationConfig config,
                                                        BeanDescription beanDesc) {
            return LEAVES.get(type.getRawClass());
        }

        @Override
        public JsonDeserializer<?> findEnumDeserializer(Class<?> type, DeserializationConfig config,
                                                        BeanDescription beanDesc) {
            return new Leaf<>(type, node -> enumValue(type, node));
        }
    }

    /** Wraps every list deserializer so that text is accepted too. */
    private static final class ListsFromText extends BeanDeserializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public JsonDeserializer<?> modifyCollectionDeserializer(DeserializationConfig config, CollectionType type,
                                                                BeanDescription beanDesc,
                                                                JsonDeserializer<?> deserializer) {
            return new TextList(deserializer, LEAVES.get(type.getContentType().getRawClass()));
        }
    }
}
