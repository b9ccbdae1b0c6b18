package dev.loyalty.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Holds every HTTP exchange of the integration tests to {@code docs/openapi.yaml}, so that the document
 * cannot drift from the code. Read with swagger-parser (which must find no problem in it); bodies are
 * validated with networknt's JSON Schema 2020-12 validator against the schemas of the document itself.
 *
 * <p>Rules, each a violation when broken:
 * <ul>
 *   <li>a path that names no documented route answers {@code NoSuchRoute} (404), a documented path with an
 *       undocumented method {@code MethodNotAllowed} (405);</li>
 *   <li>the status is documented for the operation, the response's media type for that status, and the
 *       body matches its schema; required response headers ({@code Retry-After}) are present and valid;</li>
 *   <li>a request the document calls invalid (body against its schema, a body that is not JSON or not of a
 *       documented media type, a path or query parameter against its schema) is not answered 2xx. Tests send
 *       invalid requests on purpose; the server must refuse them. In a bulk answered 200, each event the
 *       document calls invalid must have an error in its slot instead;</li>
 *   <li>a request to an operation that needs a key and carries none is answered 401.</li>
 * </ul>
 * Thread-safe.
 */
public final class OpenApiContract {

    /** Base IRI the document is registered under for {@code $ref} resolution; never fetched. */
    private static final String BASE = "https://loyalty.dev/openapi.json";
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Answers to a request the server could not read as HTTP, whatever its path: their components. */
    private static final Map<Integer, String> UNREADABLE = Map.of(
            400, "BadHttpRequest", 414, "UriTooLong", 431, "HeadersTooLarge");
    private static volatile OpenApiContract instance;

    private final OpenAPI api;
    private final com.fasterxml.jackson.databind.JsonNode raw;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiContract(String yaml) {
        ParseOptions options = new ParseOptions();
        options.setResolve(false);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(yaml, null, options);
        if (parsed.getOpenAPI() == null || (parsed.getMessages() != null && !parsed.getMessages().isEmpty())) {
            throw new AssertionError("docs/openapi.yaml is not a valid OpenAPI document: " + parsed.getMessages());
        }
        this.api = parsed.getOpenAPI();
        String json;
        try {
            this.raw = new ObjectMapper(new YAMLFactory()).readTree(yaml);
            json = JSON.writeValueAsString(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The document's root is read as a schema resource too: its OpenAPI keywords are not schema keywords,
        // so that any other unknown keyword still warns (a typo in a schema would silently validate nothing).
        Dialect.Builder dialect = Dialect.builder(Dialects.getDraft202012());
        for (String keyword : List.of("openapi", "info", "servers", "security", "tags", "paths", "components")) {
            dialect.keyword(new NonValidationKeyword(keyword));
        }
        this.registry = SchemaRegistry.withDefaultDialect(dialect.build(),
                builder -> builder.schemas(Map.of(BASE, json)));
    }

    /** The contract of this source tree's {@code docs/openapi.yaml}, read once. */
    public static OpenApiContract get() {
        OpenApiContract c = instance;
        if (c == null) {
            synchronized (OpenApiContract.class) {
                c = instance;
                if (c == null) {
                    c = of(document());
                    instance = c;
                }
            }
        }
        return c;
    }

    /** A contract from a document's text (tests of the contract itself). */
    static OpenApiContract of(String yaml) {
        return new OpenApiContract(yaml);
    }

    /** The text of docs/openapi.yaml (the build passes the repository root as {@code engine.home}). */
    public static String document() {
        String home = System.getProperty("engine.home");
        Path file = (home != null ? Path.of(home) : Path.of("..")).resolve("docs/openapi.yaml");
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails the test, naming every violation, when the exchange breaks the contract. */
    public static void check(HttpRequest request, HttpResponse<String> response) {
        byte[] body = bodyOf(request);
        List<String> violations = get().violations(request.method(), request.uri(),
                request.headers().map(), body, response.statusCode(), response.headers().map(), response.body());
        if (!violations.isEmpty()) {
            throw new AssertionError("the exchange breaks docs/openapi.yaml:\n  " + request.method() + " "
                    + request.uri() + (body == null ? "" : " " + abbreviate(new String(body, StandardCharsets.UTF_8)))
                    + "\n  → " + response.statusCode() + " " + abbreviate(response.body())
                    + "\n  " + String.join("\n  ", violations));
        }
    }

    /** Every way the exchange breaks the contract; empty when it keeps it. Header names in any case. */
    List<String> violations(String method, URI uri, Map<String, List<String>> requestHeaders, byte[] requestBody,
                            int status, Map<String, List<String>> responseHeaders, String responseBody) {
        List<String> out = new ArrayList<>();
        String path = uri.getRawPath();
        Route route = route(method, path);
        if (route == null) {
            boolean pathKnown = !candidates(path).isEmpty();
            String component = UNREADABLE.get(status);
            if (component == null) {
                int expected = pathKnown ? 405 : 404;
                component = pathKnown ? "MethodNotAllowed" : "NoSuchRoute";
                if (status != expected) {
                    out.add("no documented operation for " + method + " " + path + ": expected " + expected
                            + ", got " + status);
                    return out;
                }
            }
            checkBody(out, "/components/responses/" + component, responseHeaders, responseBody);
            return out;
        }
        // ---- response ----
        ApiResponse documented = route.operation.getResponses() == null ? null
                : route.operation.getResponses().get(Integer.toString(status));
        if (documented == null) {
            out.add("status " + status + " is not documented for " + route.name());
            return out;
        }
        String responsePointer = route.pointer + "/responses/" + status;
        if (documented.get$ref() != null) {
            responsePointer = localPointer(documented.get$ref());
            documented = api.getComponents().getResponses().get(lastSegment(documented.get$ref()));
        }
        checkHeaders(out, documented, responseHeaders);
        if (documented.getContent() != null && !documented.getContent().isEmpty()) {
            checkBody(out, responsePointer, responseHeaders, responseBody);
        }
        // ---- request ----
        List<String> invalid = new ArrayList<>();
        checkParameters(invalid, route, uri);
        if (route.operation.getRequestBody() != null) {
            String type = mediaType(first(requestHeaders, "Content-Type"));
            if (type == null || !route.operation.getRequestBody().getContent().containsKey(type)) {
                invalid.add("request media type " + type + " is not documented");
            } else {
                String pointer = route.pointer + "/requestBody/content/" + escape(type) + "/schema";
                String text = requestBody == null ? "" : new String(requestBody, StandardCharsets.UTF_8);
                invalid.addAll(validate(pointer, text));
            }
        }
        if (!invalid.isEmpty() && status < 300) {
            if (route.path.equals("/events/bulk") && status == 200) {
                checkBulkSlots(out, invalid, requestBody, responseBody);
            } else {
                out.add("a request the document calls invalid was answered " + status + ": " + invalid);
            }
        }
        boolean secured = route.operation.getSecurity() == null ? api.getSecurity() != null && !api.getSecurity().isEmpty()
                : !route.operation.getSecurity().isEmpty();
        boolean credentials = first(requestHeaders, "Authorization") != null || first(requestHeaders, "X-Api-Key") != null
                || first(requestHeaders, "X-Signature") != null;
        if (secured && !credentials && status != 401) {
            out.add(route.name() + " needs a key; a request without one was answered " + status);
        }
        return out;
    }

    // ---- matching ----

    /** A documented operation and the JSON pointer of its object in the document. */
    private record Route(String path, String method, Operation operation, PathItem item, String pointer) {
        String name() {
            return method + " " + path;
        }
    }

    /** The operation for the request: literal paths before templated ones (OpenAPI's rule). */
    private Route route(String method, String path) {
        PathItem.HttpMethod httpMethod;
        try {
            httpMethod = PathItem.HttpMethod.valueOf(method.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException notInOpenApi) {
            return null;
        }
        for (String template : candidates(path)) {
            PathItem item = api.getPaths().get(template);
            Operation op = item.readOperationsMap().get(httpMethod);
            if (op != null) {
                return new Route(template, method.toUpperCase(Locale.ROOT), op, item,
                        "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT));
            }
        }
        return null;
    }

    /** Documented path templates matching the path, literal ones first. */
    private List<String> candidates(String path) {
        List<String> literal = new ArrayList<>();
        List<String> templated = new ArrayList<>();
        String[] segments = path.split("/", -1);
        for (String template : api.getPaths().keySet()) {
            String[] parts = template.split("/", -1);
            if (parts.length != segments.length) {
                continue;
            }
            boolean matches = true;
            boolean hasVariable = false;
            for (int i = 0; i < parts.length && matches; i++) {
                if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                    hasVariable = true;
                    matches = !segments[i].isEmpty();
                } else {
                    matches = parts[i].equals(segments[i]);
                }
            }
            if (matches) {
                (hasVariable ? templated : literal).add(template);
            }
        }
        literal.addAll(templated);
        return literal;
    }

    // ---- checks ----

    private void checkHeaders(List<String> out, ApiResponse response, Map<String, List<String>> headers) {
        if (response.getHeaders() == null) {
            return;
        }
        for (Map.Entry<String, Header> e : response.getHeaders().entrySet()) {
            Header header = e.getValue();
            String pointer = "/components/headers/" + (header.get$ref() == null ? null : lastSegment(header.get$ref()));
            if (header.get$ref() != null) {
                header = api.getComponents().getHeaders().get(lastSegment(header.get$ref()));
            } else {
                out.add("header " + e.getKey() + " must be a $ref to components/headers (the check reads its schema there)");
                continue;
            }
            String value = first(headers, e.getKey());
            if (value == null) {
                if (Boolean.TRUE.equals(header.getRequired())) {
                    out.add("required header " + e.getKey() + " is missing");
                }
                continue;
            }
            for (String error : validate(pointer + "/schema", typed(value))) {
                out.add("header " + e.getKey() + ": " + error);
            }
        }
    }

    private void checkBody(List<String> out, String responsePointer, Map<String, List<String>> headers, String body) {
        String type = mediaType(first(headers, "Content-Type"));
        String contentPointer = responsePointer + "/content";
        if (type == null || node(contentPointer + "/" + escape(type)) == null) {
            out.add("response media type " + type + " is not documented at " + responsePointer);
            return;
        }
        if (type.equals("application/json")) {
            for (String error : validate(contentPointer + "/" + escape(type) + "/schema", body)) {
                out.add("response body: " + error);
            }
        }
    }

    private void checkParameters(List<String> invalid, Route route, URI uri) {
        List<Parameter> parameters = route.operation.getParameters();
        if (parameters == null) {
            return;
        }
        Map<String, String> query = query(uri.getRawQuery());
        String[] segments = uri.getRawPath().split("/", -1);
        String[] parts = route.path.split("/", -1);
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            String pointer = route.pointer + "/parameters/" + i;
            if (p.get$ref() != null) {
                pointer = localPointer(p.get$ref());
                p = api.getComponents().getParameters().get(lastSegment(p.get$ref()));
            }
            String value = null;
            if (p.getIn().equals("query")) {
                value = query.get(p.getName());
            } else if (p.getIn().equals("path")) {
                for (int s = 0; s < parts.length; s++) {
                    if (parts[s].equals("{" + p.getName() + "}")) {
                        value = decode(segments[s]);
                    }
                }
            }
            if (value == null) {
                if (Boolean.TRUE.equals(p.getRequired())) {
                    invalid.add("parameter " + p.getName() + " is missing");
                }
                continue;
            }
            for (String error : validate(pointer + "/schema", typed(value))) {
                invalid.add("parameter " + p.getName() + ": " + error);
            }
        }
    }

    /** A 200 bulk whose request the document calls invalid: only because of events whose slots hold errors. */
    private void checkBulkSlots(List<String> out, List<String> invalid, byte[] requestBody, String responseBody) {
        try {
            com.fasterxml.jackson.databind.JsonNode events = JSON.readTree(requestBody).get("events");
            com.fasterxml.jackson.databind.JsonNode results = JSON.readTree(responseBody).get("results");
            if (events == null || !events.isArray() || results == null || results.size() != events.size()) {
                out.add("a bulk the document calls invalid was answered 200: " + invalid);
                return;
            }
            for (int i = 0; i < events.size(); i++) {
                List<String> errors = validate("/components/schemas/Event", events.get(i).toString());
                if (!errors.isEmpty() && !(results.get(i).size() == 1 && results.get(i).has("error"))) {
                    out.add("bulk slot " + i + " holds an event the document calls invalid " + errors
                            + " but answers " + results.get(i));
                }
            }
        } catch (IOException e) {
            out.add("a bulk the document calls invalid was answered 200: " + invalid);
        }
    }

    // ---- schemas ----

    /** Errors of the JSON text against the schema at the pointer; a text that is not JSON is one error. */
    private List<String> validate(String pointer, String json) {
        Schema schema = schemas.computeIfAbsent(pointer, p -> {
            if (node(p) == null) {
                throw new AssertionError("docs/openapi.yaml has no schema at " + p);
            }
            return registry.getSchema(SchemaLocation.of(BASE + "#" + p));
        });
        try {
            JSON.readTree(json == null ? "" : json);
        } catch (IOException e) {
            return List.of("not JSON: " + abbreviate(json));
        }
        if (json == null || json.isBlank()) {
            return List.of("empty body");
        }
        List<String> errors = new ArrayList<>();
        schema.validate(json, InputFormat.JSON).forEach(e -> errors.add(e.toString()));
        return errors;
    }

    /** The raw node at a JSON pointer of the document, or null. */
    private com.fasterxml.jackson.databind.JsonNode node(String pointer) {
        com.fasterxml.jackson.databind.JsonNode n = raw.at(pointer);
        return n.isMissingNode() ? null : n;
    }

    // ---- text ----

    /** A parameter or header value as JSON: a number when it reads as a whole number, else a string. */
    private static String typed(String value) {
        if (INTEGER.matcher(value).matches()) {
            return value;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.putIfAbsent(name, value);
        }
        return out;
    }

    /** Percent-decoded text; malformed escapes stay as sent (the server sees them so too). */
    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return raw;
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    /** The media type without parameters, lower case; null when absent. */
    private static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    private static String localPointer(String ref) {
        if (!ref.startsWith("#")) {
            throw new AssertionError("only local $refs are supported: " + ref);
        }
        return ref.substring(1);
    }

    private static String lastSegment(String ref) {
        return ref.substring(ref.lastIndexOf('/') + 1);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 500 ? text : text.substring(0, 500) + "…";
    }

    /** The bytes of a request's body (null without one): publishers of the JDK client can be read again. */
    static byte[] bodyOf(HttpRequest request) {
        Optional<HttpRequest.BodyPublisher> publisher = request.bodyPublisher();
        if (publisher.isEmpty() || publisher.get().contentLength() == 0) {
            return publisher.isEmpty() ? null : new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.get().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }

            @Override
            public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(bytes.toByteArray());
            }
        });
        try {
            return done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the request body back for the contract check", e);
        }
    }

    /** Documented path templates (for tests of the document). */
    List<String> paths() {
        return new ArrayList<>(api.getPaths().keySet());
    }
}
