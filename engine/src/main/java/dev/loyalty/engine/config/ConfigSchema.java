package dev.loyalty.engine.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every configuration key and its kind, read off the records of {@link ConfigTree} (so a key exists exactly when
 * a record component binds it). Keys inside an open map (accounts, custom actions: entries named by the user)
 * are written with {@code *} for the name.
 */
final class ConfigSchema {

    /** How a leaf is written: one value, a list of values, or a list of maps. */
    enum Kind { VALUE, LIST, OBJECT_LIST }

    /** One field of the maps in an {@link Kind#OBJECT_LIST}; the order is that of the compact text form. */
    record Field(String name, Kind kind) {
    }

    /** Names of accounts and custom actions: they become JSON keys and parts of dotted keys. */
    static final Pattern ENTRY_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

    /** Built-in actions (loyalty-rules.md, Actions); custom actions may not take these names. */
    static final Set<String> BUILT_IN_ACTIONS = Set.of(
            "opt_in", "opt_out", "profile", "point_add", "point_sub", "point_spend", "point_unspend",
            "checkout", "checkout_accept", "checkout_reject", "refund", "partial_refund",
            "reserve_points", "release_points");

    /** Every leaf key (open-map entries as {@code *}) and its kind. */
    static final Map<String, Kind> LEAVES;

    /** Fields of the maps held by the object-list leaves, in record component order. */
    static final Map<String, List<Field>> OBJECT_FIELDS;

    /** Fields an item of a compact object list must give (the rest may be left off the end or empty). */
    static final Map<String, Integer> REQUIRED_COMPACT_FIELDS;

    /** Open map → what a new entry starts from before the user's values are merged in. */
    private static final Map<String, ObjectNode> ENTRY_TEMPLATES;

    static {
        Walk walk = new Walk();
        walk.branch(ConfigTree.class, "");
        LEAVES = Map.copyOf(walk.leaves);
        OBJECT_FIELDS = Map.copyOf(walk.objectFields);
        REQUIRED_COMPACT_FIELDS = Map.copyOf(walk.requiredFields);
        ENTRY_TEMPLATES = Map.copyOf(walk.templates);
    }

    private ConfigSchema() {
    }

    /** Whether the children of this path are named by the user (accounts, custom actions). */
    static boolean isOpenMap(String path) {
        return ENTRY_TEMPLATES.containsKey(path);
    }

    /** The schema form of a concrete path: the entry name below an open map replaced by {@code *}. */
    static String pattern(String path) {
        for (String open : ENTRY_TEMPLATES.keySet()) {
            if (path.startsWith(open + ".")) {
                String rest = path.substring(open.length() + 1);
                int dot = rest.indexOf('.');
                return open + ".*" + (dot < 0 ? "" : rest.substring(dot));
            }
        }
        return path;
    }

    /** The leaf kind of a concrete path, or null when the path is not a leaf. */
    static Kind leafKind(String path) {
        return LEAVES.get(pattern(path));
    }

    /** Whether a concrete path is a map holding further keys (the root is ""). */
    static boolean isBranch(String path) {
        if (path.isEmpty() || isOpenMap(path)) {
            return true;
        }
        String prefix = pattern(path) + ".";
        for (String leaf : LEAVES.keySet()) {
            if (leaf.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a new entry of an open map starts from: the {@code @JsonProperty(defaultValue)} of its keys. Keys
     * without one must be given (custom-action points) or are resolved later (custom-action account).
     */
    static ObjectNode entryTemplate(String openMap) {
        return ENTRY_TEMPLATES.get(openMap).deepCopy();
    }

    /** A record of {@link ConfigTree} is a map of further keys; other types are values. */
    private static boolean isRecordOfTree(Class<?> type) {
        return type.isRecord() && type.getEnclosingClass() == ConfigTree.class;
    }

    private static String name(RecordComponent component) {
        return ConfigBinding.NAMES.translate(component.getName());
    }

    private static Class<?> typeArgument(RecordComponent component, int index) {
        return (Class<?>) ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[index];
    }

    /** Collects the schema by walking the records from the root. */
    private static final class Walk {
        final Map<String, Kind> leaves = new LinkedHashMap<>();
        final Map<String, List<Field>> objectFields = new LinkedHashMap<>();
        final Map<String, Integer> requiredFields = new LinkedHashMap<>();
        final Map<String, ObjectNode> templates = new LinkedHashMap<>();

        void branch(Class<?> record, String path) {
            for (RecordComponent component : record.getRecordComponents()) {
                String key = path.isEmpty() ? name(component) : path + "." + name(component);
                Class<?> type = component.getType();
                if (isRecordOfTree(type)) {
                    branch(type, key);
                } else if (type == Map.class) {
                    Class<?> entry = typeArgument(component, 1);
                    templates.put(key, template(entry));
                    branch(entry, key + ".*");
                } else if (type == List.class && isRecordOfTree(typeArgument(component, 0))) {
                    Class<?> item = typeArgument(component, 0);
                    leaves.put(key, Kind.OBJECT_LIST);
                    List<Field> fields = new ArrayList<>();
                    for (RecordComponent field : item.getRecordComponents()) {
                        fields.add(new Field(name(field), field.getType() == List.class ? Kind.LIST : Kind.VALUE));
                    }
                    objectFields.put(key, List.copyOf(fields));
                    ConfigTree.CompactFields compact = item.getAnnotation(ConfigTree.CompactFields.class);
                    requiredFields.put(key, compact == null ? fields.size() : compact.required());
                } else {
                    leaves.put(key, type == List.class ? Kind.LIST : Kind.VALUE);
                }
            }
        }

        private static ObjectNode template(Class<?> record) {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            for (RecordComponent component : record.getRecordComponents()) {
                JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
                if (isRecordOfTree(component.getType())) {
                    node.set(name(component), template(component.getType()));
                } else if (property != null && !property.defaultValue().isEmpty()) {
                    node.put(name(component), property.defaultValue());
                }
            }
            return node;
        }
    }
}
