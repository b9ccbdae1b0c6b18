package dev.loyalty.engine.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the {@link EngineConfig} once at start. Sources, lowest precedence first: the shipped defaults
 * ({@value #DEFAULTS_RESOURCE}), the {@code --config} file (maps merge key by key, lists replace, unknown
 * keys are refused), {@code ENGINE_*} environment variables (matched against every key of the merged
 * defaults and file; one that matches none is refused), then command-line overrides (dotted key → text).
 * The merged tree is then bound into {@link ConfigTree} by Jackson ({@link ConfigBinding}) and checked by
 * {@link ConfigValidator}. Every problem found is reported in one {@link ConfigException} whose lines each
 * name the key and where its value was set.
 *
 * <p>Stateless; call from the starting thread.
 */
public final class ConfigLoader {

    /** Where the shipped defaults live, on the classpath and under the repository root. */
    public static final String DEFAULTS_RESOURCE = "config/engine.yaml";

    /** The API key of the shipped defaults; a program using it must say so loudly in its log. */
    public static final String DEVELOPMENT_KEY = "dev-key";

    /** Prefix of the environment variables that set configuration keys. */
    public static final String ENV_PREFIX = "ENGINE_";

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private ConfigLoader() {
    }

    /**
     * Loads the configuration.
     *
     * @param defaultsYaml text of the shipped defaults (see {@link #shippedDefaults(Path)})
     * @param configFile   the {@code --config} file, or null
     * @param env          the process environment (only {@code ENGINE_*} names are read), or null
     * @param overrides    command-line overrides, dotted key → value as text (e.g. {@code api.port → 8081}), or null
     * @throws ConfigException naming every key that is unknown or has a bad value
     */
    public static EngineConfig load(String defaultsYaml, Path configFile, Map<String, String> env,
                                    Map<String, String> overrides) {
        Problems problems = new Problems();

        ObjectNode tree = parse(defaultsYaml, "shipped defaults");
        checkStructure(tree, "", "in the shipped defaults", problems);
        problems.throwIfAny();

        if (configFile != null) {
            String where = "in " + configFile;
            ObjectNode file = parse(read(configFile), configFile.toString());
            checkStructure(file, "", where, problems);
            problems.throwIfAny(); // merging a file of the wrong shape would only add confusing follow-ups
            merge(tree, file, "", where, problems);
        }

        applyEnvironment(tree, env == null ? Map.of() : env, problems);
        applyOverrides(tree, overrides == null ? Map.of() : overrides, problems);
        expandCompactLists(tree, problems);

        ConfigTree bound = ConfigBinding.bind(tree, problems);
        EngineConfig config = bound == null ? null : ConfigValidator.validate(bound, problems);
        problems.throwIfAny();
        return config;
    }

    /** {@link #load} with the shipped defaults found by {@link #shippedDefaults(Path)}. */
    public static EngineConfig loadShipped(Path homeDir, Path configFile, Map<String, String> env,
                                           Map<String, String> overrides) {
        return load(shippedDefaults(homeDir), configFile, env, overrides);
    }

    /**
     * The text of the shipped defaults: the classpath resource {@value #DEFAULTS_RESOURCE} (packaged into the
     * program's jar), else the file {@value #DEFAULTS_RESOURCE} under {@code homeDir} (the repository root,
     * e.g. {@code ..} from a module's tests).
     *
     * @param homeDir repository root to fall back to, or null for the classpath only
     */
    public static String shippedDefaults(Path homeDir) {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DEFAULTS_RESOURCE + " from the classpath", e);
        }
        if (homeDir != null && Files.isRegularFile(homeDir.resolve(DEFAULTS_RESOURCE))) {
            return read(homeDir.resolve(DEFAULTS_RESOURCE));
        }
        throw new ConfigException("shipped defaults: " + DEFAULTS_RESOURCE + " is neither on the classpath nor under "
                + (homeDir == null ? "a home folder (none given)" : homeDir.toAbsolutePath().normalize()));
    }

    /** Whether any configured API key is the shipped development key (then log a loud warning). */
    public static boolean usesDevelopmentKey(EngineConfig config) {
        String digest = EngineConfig.ApiKey.sha256Hex(DEVELOPMENT_KEY);
        return config.api().keys().stream().anyMatch(k -> digest.equals(k.keySha256()));
    }

    /** The environment variable that sets a dotted key: {@code api.sync-timeout → ENGINE_API_SYNC_TIMEOUT}. */
    public static String environmentName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config " + file + ": file not found");
        } catch (IOException e) {
            throw new ConfigException("--config " + file + ": cannot read it: " + e);
        }
    }

    private static ObjectNode parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage() + at);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return YAML.createObjectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException(source + ": must be a map of keys at the top level");
        }
        return (ObjectNode) root;
    }

    /** Reports keys that do not exist and values of the wrong shape (map for a value, value for a map). */
    private static void checkStructure(ObjectNode node, String path, String where, Problems problems) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            String child = join(path, name);
            if (ConfigSchema.isOpenMap(path)) {
                if (!ConfigSchema.ENTRY_NAME.matcher(name).matches()) {
                    problems.add(child + ": names here are 1-64 lower-case letters, digits, '_' or '-', starting"
                            + " with a letter (" + where + ")");
                } else if (value.isObject()) {
                    checkStructure((ObjectNode) value, child, where, problems);
                } else if (!value.isNull()) {
                    problems.add(child + ": must be a map (or null to remove it) (" + where + ")");
                }
                continue;
            }
            ConfigSchema.Kind type = ConfigSchema.leafKind(child);
            if (type != null) {
                if (value.isNull()) {
                    problems.add(child + ": has no value (" + where + ")");
                } else if (value.isObject()) {
                    problems.add(child + ": must be a value, not a map (" + where + ")");
                } else if (type == ConfigSchema.Kind.OBJECT_LIST) {
                    checkObjectList(child, value, where, problems);
                } else if (value.isArray() && type != ConfigSchema.Kind.LIST) {
                    problems.add(child + ": must be a single value, not a list (" + where + ")");
                }
            } else if (ConfigSchema.isBranch(child)) {
                if (value.isObject()) {
                    checkStructure((ObjectNode) value, child, where, problems);
                } else if (!value.isNull()) {
                    problems.add(child + ": must be a map of further keys (" + where + ")");
                }
            } else {
                problems.add(child + ": unknown key" + unknownKeyHint(child) + " (" + where + ")");
            }
        }
    }

    private static void checkObjectList(String path, JsonNode value, String where, Problems problems) {
        if (!value.isArray()) {
            problems.add(path + ": must be a list (" + where + ")");
            return;
        }
        Set<String> fields = new LinkedHashSet<>();
        ConfigSchema.OBJECT_FIELDS.get(path).forEach(f -> fields.add(f.name()));
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (!element.isObject()) {
                problems.add(path + "[" + i + "]: must be a map with keys " + fields + " (" + where + ")");
                continue;
            }
            for (Map.Entry<String, JsonNode> field : element.properties()) {
                String name = field.getKey();
                if (!fields.contains(name)) {
                    problems.add(path + "[" + i + "]." + name + ": unknown key, expected one of " + fields
                            + " (" + where + ")");
                }
            }
        }
    }

    private static String unknownKeyHint(String path) {
        String last = path.substring(path.lastIndexOf('.') + 1);
        if (last.contains("_")) {
            String dashed = path.substring(0, path.lastIndexOf('.') + 1) + last.replace('_', '-');
            if (ConfigSchema.leafKind(dashed) != null || ConfigSchema.isBranch(dashed)) {
                return "; did you mean " + dashed + "?";
            }
        }
        Set<String> known = new LinkedHashSet<>();
        for (String leaf : ConfigSchema.LEAVES.keySet()) {
            for (int dot = leaf.indexOf('.'); dot > 0; dot = leaf.indexOf('.', dot + 1)) {
                known.add(leaf.substring(0, dot));
            }
            known.add(leaf);
        }
        String best = closest(ConfigSchema.pattern(path), known);
        return best == null ? "" : "; did you mean " + best + "?";
    }

    /** Deep merge: maps merge key by key, values and lists replace; null removes an open-map entry. */
    private static void merge(ObjectNode base, ObjectNode overlay, String path, String where, Problems problems) {
        for (Map.Entry<String, JsonNode> field : overlay.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            String child = join(path, name);
            if (ConfigSchema.isOpenMap(path)) {
                if (value.isNull()) {
                    base.remove(name);
                } else {
                    JsonNode existing = base.get(name);
                    ObjectNode entry = existing instanceof ObjectNode o ? o : ConfigSchema.entryTemplate(path);
                    base.set(name, entry);
                    merge(entry, (ObjectNode) value, child, where, problems);
                }
            } else if (ConfigSchema.leafKind(child) != null) {
                base.set(name, value.deepCopy());
                problems.origin(child, where);
            } else if (value.isObject()) {
                JsonNode existing = base.get(name);
                ObjectNode target = existing instanceof ObjectNode o ? o : base.putObject(name);
                merge(target, (ObjectNode) value, child, where, problems);
            }
        }
    }

    /** Every leaf key present in the tree, e.g. {@code rules.accounts.points.expiry.policy}. */
    static List<String> leafKeys(ObjectNode tree) {
        List<String> keys = new ArrayList<>();
        collectLeaves(tree, "", keys);
        return keys;
    }

    private static void collectLeaves(ObjectNode node, String path, List<String> keys) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String child = join(path, field.getKey());
            if (ConfigSchema.leafKind(child) != null) {
                keys.add(child);
            } else if (field.getValue().isObject()) {
                collectLeaves((ObjectNode) field.getValue(), child, keys);
            }
        }
    }

    private static void applyEnvironment(ObjectNode tree, Map<String, String> env, Problems problems) {
        Map<String, List<String>> keysByVariable = new HashMap<>();
        for (String key : leafKeys(tree)) {
            keysByVariable.computeIfAbsent(environmentName(key), v -> new ArrayList<>()).add(key);
        }
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String variable = e.getKey();
            if (!variable.startsWith(ENV_PREFIX)) {
                continue;
            }
            List<String> keys = keysByVariable.get(variable);
            if (keys == null) {
                String best = closest(variable, keysByVariable.keySet());
                problems.add(variable + ": environment variable matches no configuration key"
                        + (best == null ? "" : "; did you mean " + best + "?")
                        + " (every ENGINE_* variable must set a key; unset it)");
            } else if (keys.size() > 1) {
                problems.add(variable + ": environment variable matches several keys " + keys
                        + "; set them in the --config file instead");
            } else {
                set(tree, keys.get(0), e.getValue());
                problems.origin(keys.get(0), "set by " + variable);
            }
        }
    }

    private static void applyOverrides(ObjectNode tree, Map<String, String> overrides, Problems problems) {
        Set<String> known = new LinkedHashSet<>(leafKeys(tree));
        for (Map.Entry<String, String> e : new TreeMap<>(overrides).entrySet()) {
            String key = e.getKey();
            if (!known.contains(key)) {
                problems.add(key + ": unknown configuration key (command line)");
            } else if (e.getValue() == null) {
                problems.add(key + ": has no value (command line)");
            } else {
                set(tree, key, e.getValue());
                problems.origin(key, "set on the command line");
            }
        }
    }

    /** Sets an existing leaf to a text value; binding converts it by the leaf's type. */
    private static void set(ObjectNode tree, String key, String value) {
        set(tree, key, TextNode.valueOf(value));
    }

    private static void set(ObjectNode tree, String key, JsonNode value) {
        int dot = key.lastIndexOf('.');
        ObjectNode parent = dot < 0 ? tree : (ObjectNode) at(tree, key.substring(0, dot));
        parent.set(key.substring(dot + 1), value);
    }

    /** The node at an existing dotted key. */
    private static JsonNode at(ObjectNode tree, String key) {
        JsonNode node = tree;
        for (String part : key.split("\\.")) {
            node = node.get(part);
        }
        return node;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Lists of maps set as text (environment, command line) into maps, by their compact form. */
    private static void expandCompactLists(ObjectNode tree, Problems problems) {
        for (String key : leafKeys(tree)) {
            JsonNode value = at(tree, key);
            if (ConfigSchema.leafKind(key) == ConfigSchema.Kind.OBJECT_LIST && value.isTextual()) {
                set(tree, key, CompactText.parse(key, value.textValue(), problems));
            }
        }
    }

    /** The candidate nearest to {@code word} by edit distance, if near enough to be a likely typo. */
    private static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = editDistance(word, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= Math.max(2, word.length() / 5) ? best : null;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
