package dev.duet.signaling.client.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Reads typed fields from one JSON object, naming the field by its path in every error
 * ({@code send.msg.sdp is missing}). Missing and null are the same; unknown fields are ignored.
 */
final class JsonFields {
    private final JsonNode node;
    private final String path;

    JsonFields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    public String path() {
        return path;
    }

    public boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    public String text(String name) throws ProtocolException {
        JsonNode value = required(name);
        if (!value.isTextual()) {
            throw wrongType(name, "a string", value);
        }
        return value.textValue();
    }

    public long integer(String name) throws ProtocolException {
        JsonNode value = required(name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw wrongType(name, "an integer", value);
        }
        return value.longValue();
    }

    public boolean bool(String name) throws ProtocolException {
        JsonNode value = required(name);
        if (!value.isBoolean()) {
            throw wrongType(name, "true or false", value);
        }
        return value.booleanValue();
    }

    public double number(String name) throws ProtocolException {
        JsonNode value = required(name);
        if (!value.isNumber()) {
            throw wrongType(name, "a number", value);
        }
        return value.doubleValue();
    }

    public OptionalDouble optionalNumber(String name) throws ProtocolException {
        return has(name) ? OptionalDouble.of(number(name)) : OptionalDouble.empty();
    }

    public OptionalInt optionalInt(String name) throws ProtocolException {
        if (!has(name)) {
            return OptionalInt.empty();
        }
        long value = integer(name);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new ProtocolException(ProtocolError.INVALID_VALUE, field(name) + " is out of range");
        }
        return OptionalInt.of((int) value);
    }

    public Optional<Long> optionalInteger(String name) throws ProtocolException {
        return has(name) ? Optional.of(integer(name)) : Optional.empty();
    }

    public Instant instant(String name) throws ProtocolException {
        String text = text(name);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ProtocolException(ProtocolError.INVALID_VALUE, field(name)
                    + " must be an ISO-8601 UTC instant such as 2026-11-24T10:00:00.000Z");
        }
    }

    public JsonFields object(String name) throws ProtocolException {
        JsonNode value = required(name);
        if (!value.isObject()) {
            throw wrongType(name, "an object", value);
        }
        return new JsonFields(value, field(name));
    }

    public Optional<JsonFields> optionalObject(String name) throws ProtocolException {
        return has(name) ? Optional.of(object(name)) : Optional.empty();
    }

    /** An array of objects, at most {@code max} long. */
    public List<JsonFields> objects(String name, int max) throws ProtocolException {
        JsonNode value = array(name, max);
        List<JsonFields> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isObject()) {
                throw new ProtocolException(ProtocolError.WRONG_TYPE, field(name) + "[" + i + "] must be an object, but is "
                        + describe(item));
            }
            out.add(new JsonFields(item, field(name) + "[" + i + "]"));
        }
        return out;
    }

    /** An array of strings, at most {@code max} long. */
    public List<String> texts(String name, int max) throws ProtocolException {
        JsonNode value = array(name, max);
        List<String> out = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual()) {
                throw new ProtocolException(ProtocolError.WRONG_TYPE, field(name) + "[" + i + "] must be a string, but is "
                        + describe(item));
            }
            out.add(item.textValue());
        }
        return out;
    }

    private JsonNode array(String name, int max) throws ProtocolException {
        JsonNode value = required(name);
        if (!value.isArray()) {
            throw wrongType(name, "an array", value);
        }
        if (value.size() > max) {
            throw new ProtocolException(ProtocolError.INVALID_VALUE, field(name) + " must hold at most " + max
                    + " items, but holds " + value.size());
        }
        return value;
    }

    private JsonNode required(String name) throws ProtocolException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new ProtocolException(ProtocolError.MISSING_FIELD, field(name) + " is missing");
        }
        return value;
    }

    private ProtocolException wrongType(String name, String expected, JsonNode actual) {
        return new ProtocolException(ProtocolError.WRONG_TYPE, field(name) + " must be " + expected + ", but is "
                + describe(actual));
    }

    private String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
